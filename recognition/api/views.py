"""Recognition API: public reads; officers write with their institution's token."""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.auth import (
    CanWriteOpportunities,
    OrganisationClient,
    OrganisationTokenAuthentication,
)
from catalogue.api.base import PublicReadMixin, ReferencePagination
from catalogue.api.errors import api_errors
from catalogue.models import record_id
from descriptors.models import LearningOpportunity, Organisation
from recognition.api.serializers import (
    AgreementSerializer,
    AgreementWriteSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
    PathwaySerializer,
    RecognitionCheckSerializer,
)
from recognition.filters import DecisionFilterSet
from recognition.models import Agreement, AgreementItem, Pathway, RecognitionDecision
from recognition.selectors import (
    decisions_public,
    editions_not_covered,
    pathway_detail,
    pathway_list,
    recognitions_in_force,
    versions_by_series,
)
from recognition.services import (
    agreement_approve,
    agreement_new_version,
    agreement_retire,
    agreement_save,
    decision_save,
)

AGREEMENT_NOT_WRITABLE = {
    403: "This agreement belongs to another institution.",
    404: "No agreement has that id, or it is a draft of another institution.",
}
APPROVED_IS_FINAL = {409: "An approved agreement cannot be changed or deleted."}


def _day(request, name: str = "on"):
    raw = request.query_params.get(name)
    if not raw:
        return timezone.localdate()
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({name: ["Give a date as YYYY-MM-DD."]})
    return day


def _query_id(request, name: str) -> int:
    pk = record_id(request.query_params.get(name, ""))
    if pk is None:
        raise ValidationError({name: ["Give an id."]})
    return pk


def _organisation_of(request) -> Organisation | None:
    """The institution a request acts for: the token's; None for a superuser's session."""
    user = request.user
    return user.organisation if isinstance(user, OrganisationClient) else None


def _is_superuser(request) -> bool:
    user = request.user
    return bool(user and getattr(user, "is_superuser", False))


def _acting_institution(request) -> Organisation:
    organisation = _organisation_of(request)
    if organisation is not None:
        return organisation
    institution = Organisation.objects.filter(pk=request.data.get("institution")).first()
    if institution is None:
        raise ValidationError({"institution": ["Superusers must name the institution's id."]})
    return institution


class RecognitionWriteMixin:
    authentication_classes = [OrganisationTokenAuthentication, SessionAuthentication]
    permission_classes = [CanWriteOpportunities]

    def visible_agreements(self, request):
        """Public versions, plus the caller's own drafts."""
        agreements = Agreement.objects.all()
        if _is_superuser(request):
            return agreements
        organisation = _organisation_of(request)
        own = Q(institution=organisation) if organisation else Q(pk__in=[])
        return agreements.filter(~Q(status=Agreement.Status.DRAFT) | own)

    def writable_agreement(self, request, pk: int) -> Agreement:
        agreement = self.visible_agreements(request).filter(pk=pk).first()
        if agreement is None:
            raise NotFound()
        organisation = _organisation_of(request)
        if not _is_superuser(request) and agreement.institution_id != organisation.pk:
            raise PermissionDenied("This agreement belongs to another institution.")
        return agreement


def _agreement_data(agreement: Agreement, request) -> dict:
    agreement = (
        Agreement.objects.select_related("institution", "language")
        .prefetch_related(
            "providers", Prefetch("items", AgreementItem.objects.select_related("opportunity"))
        )
        .get(pk=agreement.pk)
    )
    include_drafts = _is_superuser(request) or agreement.institution == _organisation_of(request)
    return AgreementSerializer(
        agreement, context={"request": request, "include_drafts": include_drafts}
    ).data


def _split_agreement(serializer) -> tuple[dict, list | None, list | None]:
    values = dict(serializer.validated_data)
    providers = values.pop("providers", None)
    items = values.pop("items", None)
    return values, providers, items


class AgreementList(RecognitionWriteMixin, PublicReadMixin, generics.ListAPIView):
    """Recognition agreements (MCRA): approved and retired versions, and your own drafts.
    Filter with ``institution``, ``provider``, ``opportunity``, ``status`` and
    ``in_force=true`` (on today, or on ``on=YYYY-MM-DD``)."""

    serializer_class = AgreementSerializer
    pagination_class = ReferencePagination

    def get_queryset(self):
        agreements = (
            self.visible_agreements(self.request)
            .select_related("institution", "language")
            .prefetch_related(
                "providers", Prefetch("items", AgreementItem.objects.select_related("opportunity"))
            )
        )
        params = self.request.query_params
        for name, lookup in (
            ("institution", "institution_id"),
            ("provider", "providers"),
            ("opportunity", "items__opportunity_id"),
        ):
            if params.get(name):
                agreements = agreements.filter(**{lookup: _query_id(self.request, name)})
        if params.get("status"):
            if params["status"] not in Agreement.Status.values:
                raise ValidationError({"status": [f"One of {', '.join(Agreement.Status.values)}."]})
            agreements = agreements.filter(status=params["status"])
        if params.get("in_force") in ("1", "true", "yes"):
            agreements = agreements.filter(pk__in=Agreement.objects.in_force(_day(self.request)))
        return agreements.distinct().order_by("institution__name", "title", "version")

    def get_serializer(self, *args, **kwargs):
        if args and kwargs.get("many"):
            agreements = list(args[0])
            kwargs["context"] = {
                **self.get_serializer_context(),
                "versions": versions_by_series([agreement.series for agreement in agreements]),
            }
            args = (agreements, *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("institution", int),
            OpenApiParameter("provider", int),
            OpenApiParameter("opportunity", int),
            OpenApiParameter("status", str, enum=Agreement.Status.values),
            OpenApiParameter("in_force", bool),
            OpenApiParameter("on", str, description="Day for in_force, YYYY-MM-DD."),
        ],
        summary="List recognition agreements",
    )
    @api_errors({400: "A filter is not an id, a status or a date."})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=AgreementWriteSerializer,
        responses={201: AgreementSerializer},
        summary="Create a draft agreement",
    )
    @api_errors({400: "A superuser's session must name the institution."})
    def post(self, request, *args, **kwargs):
        """Create a draft agreement of your institution."""
        institution = _acting_institution(request)
        serializer = AgreementWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values, providers, items = _split_agreement(serializer)
        agreement = agreement_save(
            agreement=Agreement(institution=institution),
            values=values,
            providers=providers,
            items=items,
        )
        return Response(_agreement_data(agreement, request), status=201)


class AgreementDetail(RecognitionWriteMixin, PublicReadMixin, APIView):
    """One agreement version, its items and the list of all its versions."""

    @extend_schema(responses=AgreementSerializer, summary="Read one agreement version")
    @api_errors({404: "No agreement has that id, or it is a draft of another institution."})
    def get(self, request, pk: int):
        agreement = self.visible_agreements(request).filter(pk=pk).first()
        if agreement is None:
            raise NotFound()
        return Response(_agreement_data(agreement, request))

    def _change(self, request, pk: int, *, partial: bool):
        agreement = self.writable_agreement(request, pk)
        if not agreement.is_draft:
            return Response(
                {
                    "detail": "An approved agreement cannot be changed; create a new version "
                    f"(POST {request.path}new-version/)."
                },
                status=409,
            )
        serializer = AgreementWriteSerializer(agreement, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values, providers, items = _split_agreement(serializer)
        agreement = agreement_save(
            agreement=agreement, values=values, providers=providers, items=items
        )
        return Response(_agreement_data(agreement, request))

    @extend_schema(
        request=AgreementWriteSerializer,
        responses=AgreementSerializer,
        summary="Replace a draft agreement",
    )
    @api_errors({**AGREEMENT_NOT_WRITABLE, **APPROVED_IS_FINAL})
    def put(self, request, pk: int):
        """Replace a draft of your institution."""
        return self._change(request, pk, partial=False)

    @extend_schema(
        request=AgreementWriteSerializer,
        responses=AgreementSerializer,
        summary="Change some fields of a draft agreement",
    )
    @api_errors({**AGREEMENT_NOT_WRITABLE, **APPROVED_IS_FINAL})
    def patch(self, request, pk: int):
        """Change some fields of a draft of your institution."""
        return self._change(request, pk, partial=True)

    @extend_schema(responses={204: None}, summary="Delete a draft agreement")
    @api_errors({**AGREEMENT_NOT_WRITABLE, **APPROVED_IS_FINAL})
    def delete(self, request, pk: int):
        """Delete a draft of your institution (approved versions stay)."""
        agreement = self.writable_agreement(request, pk)
        if not agreement.is_draft:
            return Response({"detail": "Only a draft can be deleted; retire it instead."}, 409)
        agreement.delete()
        return Response(status=204)


class AgreementTransition(RecognitionWriteMixin, APIView):
    """A step in an agreement's life (``action``): the subclasses below, one per step."""

    action = ""

    @extend_schema(request=None, responses={200: AgreementSerializer, 201: AgreementSerializer})
    @api_errors({400: "The agreement cannot take this step.", **AGREEMENT_NOT_WRITABLE})
    def post(self, request, pk: int):
        agreement = self.writable_agreement(request, pk)
        status = 200
        if self.action == "approve":
            name = (
                f"{request.user.token.name} (API token)"
                if isinstance(request.user, OrganisationClient)
                else request.user.get_username()
            )
            user = None if isinstance(request.user, OrganisationClient) else request.user
            agreement = agreement_approve(agreement=agreement, by_user=user, by_name=name)
        elif self.action == "new-version":
            agreement = agreement_new_version(agreement=agreement)
            status = 201
        else:
            agreement = agreement_retire(agreement=agreement)
        return Response(_agreement_data(agreement, request), status=status)


@extend_schema(summary="Approve a draft agreement")
class AgreementApprove(AgreementTransition):
    """The draft becomes immutable and in force from its start date; the series' earlier
    approved version retires."""

    action = "approve"


@extend_schema(summary="Start a new version of an agreement")
class AgreementNewVersion(AgreementTransition):
    """A draft copy of this version (201), to change and approve in its place."""

    action = "new-version"


@extend_schema(summary="Retire an agreement")
class AgreementRetire(AgreementTransition):
    """The version is no longer in force; it stays readable, with its decisions."""

    action = "retire"


class DecisionList(RecognitionWriteMixin, PublicReadMixin, generics.ListAPIView):
    """Public recognition decisions (precedents), searchable by opportunity, institution,
    EQF level, ECTS and outcome wording; your institution's private ones too."""

    serializer_class = DecisionSerializer
    pagination_class = ReferencePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = DecisionFilterSet

    @extend_schema(summary="Search recognition decisions")
    @api_errors({400: "A filter is rejected."})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        decisions = RecognitionDecision.objects.select_related("institution", "opportunity")
        if _is_superuser(self.request):
            return decisions
        organisation = _organisation_of(self.request)
        own = Q(institution=organisation) if organisation else Q(pk__in=[])
        return decisions.filter(Q(is_public=True) | own)

    @extend_schema(
        request=DecisionWriteSerializer,
        responses={201: DecisionSerializer},
        summary="Record a recognition decision",
    )
    @api_errors({400: "A superuser's session must name the institution."})
    def post(self, request, *args, **kwargs):
        """Record a decision of your institution."""
        institution = _acting_institution(request)
        serializer = DecisionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = decision_save(
            decision=RecognitionDecision(institution=institution),
            values=serializer.validated_data,
        )
        return Response(DecisionSerializer(decision, context={"request": request}).data, 201)


DECISION_NOT_VISIBLE = "No decision has that id, or it is another institution's private one."


class DecisionDetail(RecognitionWriteMixin, PublicReadMixin, APIView):
    """One recognition decision: public ones for everyone, private ones for their
    institution."""

    def _visible(self, request, pk: int) -> RecognitionDecision:
        decision = (
            RecognitionDecision.objects.filter(pk=pk)
            .select_related("institution", "opportunity")
            .first()
        )
        organisation = _organisation_of(request)
        mine = _is_superuser(request) or (
            decision is not None
            and organisation is not None
            and decision.institution_id == organisation.pk
        )
        if decision is None or not (decision.is_public or mine):
            raise NotFound()
        decision.mine = mine
        return decision

    @extend_schema(responses=DecisionSerializer, summary="Read one recognition decision")
    @api_errors({404: DECISION_NOT_VISIBLE})
    def get(self, request, pk: int):
        return Response(DecisionSerializer(self._visible(request, pk)).data)

    @extend_schema(
        request=DecisionWriteSerializer,
        responses=DecisionSerializer,
        summary="Correct a recognition decision",
    )
    @api_errors({403: "This decision belongs to another institution.", 404: DECISION_NOT_VISIBLE})
    def patch(self, request, pk: int):
        """Correct a decision of your institution."""
        decision = self._visible(request, pk)
        if not decision.mine:
            raise PermissionDenied("This decision belongs to another institution.")
        serializer = DecisionWriteSerializer(decision, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        decision = decision_save(decision=decision, values=serializer.validated_data)
        return Response(DecisionSerializer(decision).data)


class PathwayList(PublicReadMixin, APIView):
    """Published stackable pathways with their rules and computed totals."""

    @extend_schema(responses=PathwaySerializer(many=True), summary="List stackable pathways")
    def get(self, request):
        return Response(
            PathwaySerializer(pathway_list(), many=True, context={"request": request}).data
        )


class PathwayDetail(PublicReadMixin, APIView):
    """One published stackable pathway: its rules, the opportunities that count toward it and
    its computed totals."""

    @extend_schema(responses=PathwaySerializer, summary="Read one stackable pathway")
    @api_errors({404: "No published pathway has that id."})
    def get(self, request, pk: int):
        try:
            view = pathway_detail(pk=pk)
        except Pathway.DoesNotExist as missing:
            raise NotFound() from missing
        return Response(PathwaySerializer(view, context={"request": request}).data)


class RecognitionCheck(PublicReadMixin, APIView):
    """Is learning opportunity X recognised by institution Y (today, or ``on``), toward what,
    for how many ECTS and under which conditions; with Y's public decisions on X."""

    @extend_schema(
        parameters=[
            OpenApiParameter("opportunity", int, required=True),
            OpenApiParameter("institution", int, required=True),
            OpenApiParameter("on", str, description="YYYY-MM-DD; today when absent."),
        ],
        responses=RecognitionCheckSerializer,
        summary="Check whether an institution recognises an opportunity",
    )
    @api_errors(
        {
            400: "opportunity or institution is not an id, or on is not a date.",
            404: "No published learning opportunity, or no institution, has that id.",
        }
    )
    def get(self, request):
        ids = {name: _query_id(request, name) for name in ("opportunity", "institution")}
        opportunity = (
            LearningOpportunity.objects.published()
            .prefetch_related("editions")
            .filter(pk=ids["opportunity"])
            .first()
        )
        if opportunity is None:
            raise NotFound("No published learning opportunity has that id.")
        if not Organisation.objects.filter(pk=ids["institution"]).exists():
            raise NotFound("No institution has that id.")
        day = _day(request)
        recognitions = list(
            recognitions_in_force(
                opportunity_id=ids["opportunity"], institution_id=ids["institution"], on=day
            )
        )
        for item in recognitions:
            item.editions_not_covered = editions_not_covered(item.agreement, opportunity)
        decisions = decisions_public().filter(
            opportunity_id=ids["opportunity"], institution_id=ids["institution"]
        )
        data = {
            **ids,
            "on": day,
            "recognised": bool(recognitions),
            "recognitions": recognitions,
            "decisions": decisions,
        }
        return Response(RecognitionCheckSerializer(data, context={"request": request}).data)
