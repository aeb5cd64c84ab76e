"""The editions of one learning opportunity: read by anyone when published, written by its
organisation's token. Every write is a change of the micro-credential (``edition_save``)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.base import NOT_WRITABLE, OpportunityWriteMixin, PublicReadMixin
from catalogue.api.errors import api_errors
from catalogue.api.serializers import EditionSerializer
from catalogue.api.writes import EditionWriteSerializer
from descriptors.models import Edition, LearningOpportunity
from descriptors.services import edition_delete, edition_save

NOT_READABLE = {404: "No published learning opportunity (or edition of it) has that id."}


class EditionAccessMixin(OpportunityWriteMixin, PublicReadMixin):
    def readable(self, request, pk: int) -> tuple[LearningOpportunity, bool]:
        """The opportunity and whether the client may write it: anyone reads a published
        one (its published editions); its organisation reads its drafts and every edition."""
        opportunity = LearningOpportunity.objects.filter(pk=pk).select_related("provider").first()
        if opportunity is None:
            raise NotFound()
        may_write = self.may_write(request, opportunity)
        if not (opportunity.is_public or may_write):
            raise NotFound()
        return opportunity, may_write

    @staticmethod
    def editions(opportunity: LearningOpportunity, may_write: bool):
        editions = opportunity.editions.select_related("opportunity", "currency").prefetch_related(
            "modes", "languages", "opportunity__modes", "opportunity__languages"
        )
        return editions if may_write else editions.filter(is_published=True)

    @staticmethod
    def answer(request, edition: Edition, status: int = 200) -> Response:
        edition = EditionAccessMixin.editions(edition.opportunity, True).get(pk=edition.pk)
        return Response(EditionSerializer(edition, context={"request": request}).data, status)

    @staticmethod
    def values(request, *, partial: bool) -> dict:
        serializer = EditionWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class OpportunityEditionsView(EditionAccessMixin, APIView):
    """The editions of a published opportunity, in date order (its organisation's token also
    sees unpublished ones and those of drafts); ``POST`` adds one."""

    @extend_schema(
        summary="List the editions of an opportunity",
        description=(
            "The editions (dates, fees, places) of a published learning opportunity, in date "
            "order. Its organisation's token also sees unpublished editions and those of drafts."
        ),
        responses=EditionSerializer(many=True),
    )
    @api_errors(NOT_READABLE)
    def get(self, request, pk: int):
        opportunity, may_write = self.readable(request, pk)
        editions = sorted(self.editions(opportunity, may_write), key=Edition.sort_key)
        return Response(EditionSerializer(editions, many=True).data)

    @extend_schema(
        summary="Add an edition to an opportunity",
        description=(
            "Add an edition to one of your organisation's learning opportunities; the answer's "
            "`Location` is the new edition's address. A change of the micro-credential: its "
            "harvesters and feeds see it."
        ),
        request=EditionWriteSerializer,
        responses={201: EditionSerializer},
    )
    @api_errors(NOT_WRITABLE)
    def post(self, request, pk: int):
        """Add an edition to one of your organisation's opportunities."""
        opportunity = self.writable(request, pk)
        values = self.values(request, partial=False)
        edition = edition_save(opportunity=opportunity, edition=None, values=values)
        response = self.answer(request, edition, status=201)
        response["Location"] = reverse("api:opportunity-edition", args=[pk, edition.pk])
        return response


class OpportunityEditionView(EditionAccessMixin, APIView):
    """One edition. ``PUT`` replaces it (fields left out go back to their defaults),
    ``PATCH`` changes the fields given, ``DELETE`` removes it."""

    def edition(self, opportunity: LearningOpportunity, edition_pk: int, may_write: bool):
        edition = self.editions(opportunity, may_write).filter(pk=edition_pk).first()
        if edition is None:
            raise NotFound()
        return edition

    @extend_schema(
        summary="Read one edition of an opportunity",
        description=(
            "One published edition of a published learning opportunity; its organisation's "
            "token also reads unpublished editions and those of drafts."
        ),
        responses=EditionSerializer,
    )
    @api_errors(NOT_READABLE)
    def get(self, request, pk: int, edition_pk: int):
        opportunity, may_write = self.readable(request, pk)
        edition = self.edition(opportunity, edition_pk, may_write)
        return Response(EditionSerializer(edition).data)

    def _change(self, request, pk: int, edition_pk: int, *, partial: bool) -> Response:
        opportunity = self.writable(request, pk)
        edition = self.edition(opportunity, edition_pk, True)
        values = self.values(request, partial=partial)
        edition = edition_save(
            opportunity=opportunity, edition=edition, values=values, partial=partial
        )
        return self.answer(request, edition)

    @extend_schema(
        summary="Replace one edition of an opportunity",
        description=(
            "Replace an edition of one of your organisation's learning opportunities: fields "
            "left out go back to their defaults."
        ),
        request=EditionWriteSerializer,
        responses=EditionSerializer,
    )
    @api_errors(NOT_WRITABLE)
    def put(self, request, pk: int, edition_pk: int):
        return self._change(request, pk, edition_pk, partial=False)

    @extend_schema(
        summary="Change fields of one edition",
        description=(
            "Change the fields given of an edition of one of your organisation's learning "
            "opportunities; the others stay as they are."
        ),
        request=EditionWriteSerializer,
        responses=EditionSerializer,
    )
    @api_errors(NOT_WRITABLE)
    def patch(self, request, pk: int, edition_pk: int):
        return self._change(request, pk, edition_pk, partial=True)

    @extend_schema(
        summary="Delete one edition of an opportunity",
        description="Remove an edition of one of your organisation's learning opportunities.",
        responses={204: None},
    )
    @api_errors(NOT_WRITABLE)
    def delete(self, request, pk: int, edition_pk: int):
        opportunity = self.writable(request, pk)
        edition_delete(opportunity=opportunity, edition=self.edition(opportunity, edition_pk, True))
        return Response(status=204)
