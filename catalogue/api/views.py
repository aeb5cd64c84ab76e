"""The API v1: open reads through the search page's selector and filters, in JSON and the ELM
formats; writes by organisation tokens."""

import base64
import binascii
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django_filters import MultipleChoiceFilter
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from catalogue.api.auth import (
    CanWriteOpportunities,
    OrganisationClient,
    OrganisationTokenAuthentication,
)
from catalogue.api.errors import api_errors
from catalogue.api.schema import CSV, ELM_JSONLD, LOQ_XML, NOT_MODIFIED, OB3_ACHIEVEMENT
from catalogue.api.serializers import (
    ChangePageSchema,
    ChangeSerializer,
    ConceptSerializer,
    EqfLevelSerializer,
    EscoSkillSerializer,
    IscedFieldSerializer,
    NqfLevelSerializer,
    OpportunityDetailSerializer,
    OpportunityPageSchema,
    OpportunitySummarySerializer,
    OrganisationSerializer,
    SearchSuggestionSerializer,
    SearchSuggestionsSchema,
)
from catalogue.api.writes import OpportunityWriteSerializer
from catalogue.filters import OpportunitySearchFilterSet, ValuesFilter
from catalogue.models import MAX_ID
from catalogue.search.results import opportunity_search
from catalogue.search.suggestions import search_suggestions
from catalogue.selectors import catalogue_changes, opportunity_detail, opportunity_version
from descriptors.completeness import opportunity_completeness
from descriptors.formats.csv_export import dump_csv
from descriptors.formats.elm_jsonld import dump_jsonld
from descriptors.formats.elm_xml import dump_loq
from descriptors.formats.ob3 import OB3_PROFILE, dump_achievement
from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import opportunity_archive, opportunity_publish, opportunity_save
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, NqfLevel, Scheme

PUBLIC_MAX_AGE = 60
RENDERED_CACHE_SECONDS = 3600


class LoqXmlRenderer(BaseRenderer):
    """ELM LOQ XML (a ``Courses`` document); views hand it the serialised bytes."""

    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ElmJsonLdRenderer(JSONRenderer):
    """ELM JSON-LD (``Accept: application/ld+json``)."""

    media_type = "application/ld+json"
    format = "jsonld"


class Ob3AchievementRenderer(JSONRenderer):
    """Open Badges 3.0 ``Achievement`` (``.ob3.json``): JSON-LD with the OB3 profile, so
    ``Accept: application/ld+json`` alone still gets ELM."""

    media_type = f'application/ld+json; profile="{OB3_PROFILE}"'
    format = "ob3.json"


class SuffixFirstNegotiation(DefaultContentNegotiation):
    """A format suffix (``.ob3.json``) or ``format`` parameter names the format outright.

    DRF would still match it against ``Accept``, and a media type with a profile parameter
    (OB3's) matches only an ``Accept`` that names the same profile, never ``*/*``."""

    def select_renderer(self, request, renderers, format_suffix=None):
        chosen = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if not chosen:
            return super().select_renderer(request, renderers, format_suffix)
        renderer = self.filter_renderers(renderers, chosen)[0]
        return renderer, renderer.media_type


class CsvRenderer(BaseRenderer):
    """A search result as CSV (``.csv``), columns as documented in ``csv_export``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode("utf-8") if isinstance(data, str) else data


LIST_RENDERERS = [JSONRenderer, LoqXmlRenderer, ElmJsonLdRenderer, CsvRenderer]
# The OB3 renderer comes before ELM's: its media type is ELM's with a profile.
DETAIL_RENDERERS = [JSONRenderer, LoqXmlRenderer, Ob3AchievementRenderer, ElmJsonLdRenderer]


def _requested_format(request) -> str:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer.format if renderer is not None else "json"


def _search_parameters(filterset_class=OpportunitySearchFilterSet) -> list[OpenApiParameter]:
    """The search FilterSet's parameters, documented from its own definitions."""
    parameters = []
    for name, search_filter in filterset_class.get_filters().items():
        choices = getattr(search_filter.field, "choices", None) or search_filter.extra.get(
            "choices"
        )
        parameters.append(
            OpenApiParameter(
                name,
                str,
                many=isinstance(search_filter, ValuesFilter | MultipleChoiceFilter),
                description=str(search_filter.extra.get("help_text") or search_filter.label),
                enum=[str(value) for value, _ in choices] if choices else None,
            )
        )
    return parameters


def _rendered(view, request, key: str, build: Callable[[], object]) -> HttpResponse:
    """The answer ``build`` gives, rendered in the negotiated format and kept by ``key`` (which
    must change with the data): serialising and rendering cost more than finding a page of
    results, and the bytes are cheaper to keep and fetch than the data they come from."""
    renderer, media_type = request.accepted_renderer, request.accepted_media_type
    cache_key = f"{key}:{renderer.format}:{get_language()}"
    content = cache.get(cache_key)
    if content is None:
        content = renderer.render(build(), media_type, view.get_renderer_context())
        cache.set(cache_key, content, RENDERED_CACHE_SECONDS)
    charset = f"; charset={renderer.charset}" if renderer.charset else ""
    return HttpResponse(content, content_type=f"{renderer.media_type}{charset}")


class PublicReadMixin:
    """Anonymous reads may be cached by browsers and proxies for a minute; a read made with a
    token or a session is the caller's own (``private``): a shared cache must neither keep it
    nor answer it from an anonymous copy (``Vary``)."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and type(renderer) is not JSONRenderer:
            # Errors are JSON in every format: the XML schema has no error document. Before
            # negotiation (an unknown format) DRF would fall back to the view's first renderer.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if _authenticated(request):
                patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


def _authenticated(request) -> bool:
    # ``request.user`` authenticates on first use: a view without authentication classes
    # has no user (``UNAUTHENTICATED_USER`` is None), whatever the request carries.
    user = request.user
    return bool(user and user.is_authenticated)


class ReferencePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = settings.OCLO_API_MAX_PAGE_SIZE


def _cursor_decode(value: str) -> int:
    try:
        last_id = int(base64.urlsafe_b64decode(value.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        last_id = -1
    if not 0 <= last_id <= MAX_ID:
        raise ValidationError({"cursor": ["Not a cursor returned by this API."]})
    return last_id


def _cursor_encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def _page_size(request) -> int:
    raw = request.query_params.get("page_size", settings.OCLO_API_PAGE_SIZE)
    try:
        size = int(raw)
    except ValueError as error:
        raise ValidationError({"page_size": ["Enter a whole number."]}) from error
    if not 1 <= size <= settings.OCLO_API_MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [f"Choose between 1 and {settings.OCLO_API_MAX_PAGE_SIZE}."]}
        )
    return size


NOT_WRITABLE = {
    403: "The opportunity belongs to another organisation.",
    404: "No opportunity has that id, or it is a draft of another organisation.",
}


class OpportunityWriteMixin:
    """Writes by organisation tokens (their own organisation only) or superusers' sessions."""

    authentication_classes = [OrganisationTokenAuthentication, SessionAuthentication]
    permission_classes = [CanWriteOpportunities]

    def get_renderers(self):
        # A write answers with the record in JSON, whatever formats the reads offer.
        if self.request.method not in permissions.SAFE_METHODS:
            return [JSONRenderer()]
        return super().get_renderers()

    def writable(self, request, pk: int) -> LearningOpportunity:
        opportunity = LearningOpportunity.objects.filter(pk=pk).select_related("provider").first()
        if opportunity is None or (
            not opportunity.is_public and not self.may_write(request, opportunity)
        ):
            raise NotFound()
        if not self.may_write(request, opportunity):
            raise PermissionDenied("This opportunity belongs to another organisation.")
        return opportunity

    @staticmethod
    def may_write(request, opportunity: LearningOpportunity) -> bool:
        user = request.user
        if isinstance(user, OrganisationClient):
            return opportunity.provider_id == user.organisation.pk
        return bool(user and user.is_authenticated and user.is_superuser)

    @staticmethod
    def save(request, opportunity, *, partial: bool) -> Response:
        serializer = OpportunityWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values, relations, children = serializer.split()
        # A rule of the model that this breaks is a 400, from the API's exception handler.
        opportunity = opportunity_save(
            opportunity=opportunity, values=values, relations=relations, **children
        )
        opportunity = LearningOpportunity.objects.with_detail_data().get(pk=opportunity.pk)
        return Response(OpportunityDetailSerializer(opportunity, context={"request": request}).data)


class SearchSuggestionsView(PublicReadMixin, APIView):
    """Search as you type: titles, ESCO skills, providers and fields of education that the
    letters typed so far may stand for (from two letters on), as the search box offers them."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="What has been typed so far.")],
        responses=SearchSuggestionsSchema,
        operation_id="search_suggestions",
        summary="Suggest searches as you type",
    )
    @api_errors({400: "q is longer than 200 characters."})
    def get(self, request):
        term = request.query_params.get("q", "")
        if len(term) > SUGGESTION_TERM_MAX:
            raise ValidationError({"q": [f"At most {SUGGESTION_TERM_MAX} characters."]})
        suggestions = search_suggestions(term)
        return Response({"results": SearchSuggestionSerializer(suggestions, many=True).data})


SUGGESTION_TERM_MAX = 200


class OpportunityListView(OpportunityWriteMixin, PublicReadMixin, APIView):
    """Published learning opportunities: the same search, filters, facets and sort as the
    search page. Page through them with ``page`` (and ``page_size``), or harvest everything in
    id order with ``cursor`` (start with ``cursor=start``); add ``facets=true`` for counts."""

    filterset_class = OpportunitySearchFilterSet
    renderer_classes = LIST_RENDERERS

    @extend_schema(
        parameters=[
            *_search_parameters(),
            OpenApiParameter("page", int, description="Page number (people)."),
            OpenApiParameter("page_size", int, description="Up to the maximum page size."),
            OpenApiParameter("cursor", str, description="Harvesting: 'start', then `next`."),
            OpenApiParameter("facets", bool, description="Include facet counts."),
        ],
        responses={
            (200, "application/json"): OpportunityPageSchema,
            (200, "application/xml"): LOQ_XML,
            (200, "application/ld+json"): ELM_JSONLD,
            (200, "text/csv"): CSV,
        },
        operation_id="learning_opportunities_list",
        summary="Search published learning opportunities",
    )
    @api_errors({400: "A filter, page, page_size or cursor is rejected."})
    def get(self, request, format=None):
        filterset = OpportunitySearchFilterSet(request.query_params)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        representation = _requested_format(request)
        # CSV is a download of the whole result (up to a limit), not of one page.
        size = settings.OCLO_CSV_MAX_ROWS if representation == "csv" else _page_size(request)
        cursor = request.query_params.get("cursor")
        after_id = None
        if cursor is not None:
            after_id = 0 if cursor == "start" else _cursor_decode(cursor)
        try:
            page = 1 if representation == "csv" else int(request.query_params.get("page", 1))
        except ValueError as error:
            raise ValidationError({"page": ["Enter a whole number."]}) from error
        result = opportunity_search(
            filterset.params(), page=page, page_size=size, after_id=after_id
        )
        if representation == "csv":
            response = Response(dump_csv(result.opportunities))
            response["Content-Disposition"] = 'attachment; filename="learning-opportunities.csv"'
            return response
        url = request.build_absolute_uri()
        links = {}
        if after_id is not None:
            if len(result.opportunities) == size:
                links["next"] = replace_query_param(
                    url, "cursor", _cursor_encode(result.opportunities[-1].pk)
                )
        else:
            if page < result.pages:
                links["next"] = replace_query_param(url, "page", page + 1)
            if page > 1:
                links["prev"] = (
                    replace_query_param(url, "page", page - 1)
                    if page > 2
                    else remove_query_param(url, "page")
                )
        link_header = ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items())

        def page():
            body = {
                "count": result.total,
                "next": links.get("next"),
                "previous": links.get("prev"),
                "results": OpportunitySummarySerializer(
                    result.opportunities, many=True, context={"request": request}
                ).data,
            }
            if result.params.text:
                body["query"] = {
                    "text": result.params.text,
                    "corrected": result.corrected_text or None,
                    "corrections": result.corrections,
                    "all_words_required": not result.optional_words,
                }
            if request.query_params.get("facets") in ("1", "true", "yes"):
                body["facets"] = [_facet_json(facet) for facet in result.facets]
            return body

        query = hashlib.sha256(url.encode()).hexdigest()
        if representation in ("xml", "jsonld"):
            page_ids = [opportunity.pk for opportunity in result.opportunities]
            detailed = LearningOpportunity.objects.with_detail_data().in_bulk(page_ids)
            records = (detailed[pk] for pk in page_ids)
            response = Response(
                dump_loq(records) if representation == "xml" else dump_jsonld(records)
            )
        else:
            response = _rendered(self, request, f"api-list:{result.version}:{query}", page)
        if links:
            response["Link"] = link_header
        return response

    @extend_schema(
        request=OpportunityWriteSerializer,
        responses={201: OpportunityDetailSerializer},
        summary="Create a draft learning opportunity",
    )
    @api_errors({400: "A superuser's session must name the provider."})
    def post(self, request, format=None):
        """Create a draft opportunity of the token's organisation."""
        user = request.user
        if isinstance(user, OrganisationClient):
            provider = user.organisation
        else:
            provider_id = request.data.get("provider")
            provider = Organisation.objects.filter(pk=provider_id).first()
            if provider is None:
                raise ValidationError({"provider": ["Superusers must name the provider's id."]})
        response = self.save(request, LearningOpportunity(provider=provider), partial=False)
        response.status_code = 201
        response["Location"] = reverse("api:opportunity-detail", args=[response.data["id"]])
        return response


def _facet_json(facet) -> dict:
    def value_json(value):
        data = {
            "value": value.key,
            "label": value.label,
            "count": value.count,
            "selected": value.selected,
        }
        if value.children:
            data["children"] = [value_json(child) for child in value.children]
        return data

    return {
        "facet": facet.key,
        "label": facet.label,
        "values": [value_json(value) for value in facet.values],
        "more": facet.more,
        "missing": facet.missing,
    }


class OpportunityDetailView(OpportunityWriteMixin, PublicReadMixin, APIView):
    """Every descriptor of one published opportunity, as JSON or, with ``.xml`` or
    ``Accept: application/xml``, as ELM LOQ XML. Supports ``If-None-Match`` and
    ``If-Modified-Since`` (304)."""

    renderer_classes = DETAIL_RENDERERS
    content_negotiation_class = SuffixFirstNegotiation

    @extend_schema(
        responses={
            (200, "application/json"): OpportunityDetailSerializer,
            (200, "application/xml"): LOQ_XML,
            (200, "application/ld+json"): ELM_JSONLD,
            (200, Ob3AchievementRenderer.media_type): OB3_ACHIEVEMENT,
            304: NOT_MODIFIED,
        },
        summary="Read one published learning opportunity",
    )
    @api_errors({404: "No published learning opportunity has that id."})
    def get(self, request, pk: int, format=None):
        # The version is the opportunity's latest entry in the change log, which every change
        # (children, skills, organisation names) writes: it drives the ETag and the cache.
        sequence, changed_at = opportunity_version(pk=pk)
        representation = _requested_format(request)
        version = f"{pk}-{sequence}-{changed_at.timestamp()}"
        etag = quote_etag(f"{version}-{representation}")
        last_modified = int(changed_at.timestamp())
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if conditional is not None:
            return conditional

        def document():
            opportunity = opportunity_detail(pk=pk)
            if representation == "xml":
                return dump_loq([opportunity])
            if representation == "jsonld":
                return dump_jsonld([opportunity])
            if representation == "ob3.json":
                return dump_achievement(opportunity)
            return OpportunityDetailSerializer(opportunity, context={"request": request}).data

        response = _rendered(self, request, f"api-detail:{version}", document)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        return response

    @extend_schema(
        request=OpportunityWriteSerializer,
        responses=OpportunityDetailSerializer,
        summary="Replace a learning opportunity",
    )
    @api_errors(NOT_WRITABLE)
    def put(self, request, pk: int, format=None):
        """Replace the descriptors of one of your organisation's opportunities."""
        return self.save(request, self.writable(request, pk), partial=False)

    @extend_schema(
        request=OpportunityWriteSerializer,
        responses=OpportunityDetailSerializer,
        summary="Change some descriptors of a learning opportunity",
    )
    @api_errors(NOT_WRITABLE)
    def patch(self, request, pk: int, format=None):
        """Change some descriptors of one of your organisation's opportunities."""
        return self.save(request, self.writable(request, pk), partial=True)

    @extend_schema(responses={204: None}, summary="Delete a learning opportunity")
    @api_errors(NOT_WRITABLE)
    def delete(self, request, pk: int, format=None):
        """Delete one of your organisation's opportunities (archive it to keep the record)."""
        self.writable(request, pk).delete()
        return Response(status=204)


class PublishWarningSerializer(serializers.Serializer):
    """An element the record lacks that Annex I calls mandatory or the ELM LOQ profile
    requires: the record is published all the same."""

    element = serializers.CharField(source="key")
    label = serializers.CharField()
    required_by = serializers.CharField(source="source")


class OpportunityPublishedSerializer(OpportunityDetailSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(OpportunityDetailSerializer.Meta):
        fields = [*OpportunityDetailSerializer.Meta.fields, "warnings"]

    @extend_schema_field(PublishWarningSerializer(many=True))
    def get_warnings(self, opportunity) -> list[dict]:
        missing = opportunity_completeness(opportunity).missing
        return PublishWarningSerializer(missing, many=True).data


class OpportunityPublishView(OpportunityWriteMixin, APIView):
    """Publish one of your organisation's opportunities. The answer is the record with
    ``warnings``: what it still lacks of Annex I's mandatory elements and of the ELM LOQ
    profile (it is published all the same)."""

    @extend_schema(
        request=None,
        responses=OpportunityPublishedSerializer,
        summary="Publish a learning opportunity",
    )
    @api_errors({400: "The record does not pass validation.", **NOT_WRITABLE})
    def post(self, request, pk: int):
        opportunity_publish(opportunity=self.writable(request, pk))
        opportunity = LearningOpportunity.objects.with_detail_data().get(pk=pk)
        return Response(
            OpportunityPublishedSerializer(opportunity, context={"request": request}).data
        )


class OpportunityArchiveView(OpportunityWriteMixin, APIView):
    """Withdraw one of your organisation's opportunities from the catalogue, keeping it."""

    @extend_schema(
        request=None,
        responses=OpportunityDetailSerializer,
        summary="Archive a learning opportunity",
    )
    @api_errors(NOT_WRITABLE)
    def post(self, request, pk: int):
        opportunity_archive(opportunity=self.writable(request, pk))
        opportunity = LearningOpportunity.objects.with_detail_data().get(pk=pk)
        return Response(OpportunityDetailSerializer(opportunity, context={"request": request}).data)


@extend_schema(summary="List organisations")
class ProviderList(PublicReadMixin, generics.ListAPIView):
    """Organisations that provide, host or award learning opportunities."""

    serializer_class = OrganisationSerializer
    pagination_class = ReferencePagination
    queryset = Organisation.objects.select_related("provider_type", "country").order_by("name")


@extend_schema(summary="Read one organisation")
@api_errors({404: "No organisation has that id."})
class ProviderDetail(PublicReadMixin, generics.RetrieveAPIView):
    """An organisation: its names, legal identifier, type, registration country, city and
    homepage."""

    serializer_class = OrganisationSerializer
    queryset = ProviderList.queryset


@extend_schema(summary="List the EQF levels")
class EqfLevelList(PublicReadMixin, generics.ListAPIView):
    """The eight EQF levels with their descriptors and QF-EHEA cycles."""

    serializer_class = EqfLevelSerializer
    queryset = EqfLevel.objects.all()
    pagination_class = None


@extend_schema(summary="List national qualifications framework levels")
class NqfLevelList(PublicReadMixin, generics.ListAPIView):
    """National qualifications framework levels and the EQF level each is referenced to."""

    serializer_class = NqfLevelSerializer
    queryset = NqfLevel.objects.select_related("framework__country")
    pagination_class = None


class IscedFieldTree(PublicReadMixin, APIView):
    """ISCED-F 2013 as a tree: broad fields with their narrow and detailed fields."""

    @extend_schema(
        responses=IscedFieldSerializer(many=True), summary="List the ISCED-F fields as a tree"
    )
    def get(self, request):
        fields = list(IscedField.objects.all())
        children: dict[str, list] = {}
        for field in fields:
            children.setdefault(field.parent_id, []).append(field)
        roots = children.get(None, [])
        return Response(IscedFieldSerializer(roots, many=True, context={"children": children}).data)


class EscoSkillList(PublicReadMixin, generics.ListAPIView):
    """ESCO skills, knowledge and competences (the full loaded set). ``q`` searches preferred
    and alternative labels, best matches first (type-ahead)."""

    serializer_class = EscoSkillSerializer
    pagination_class = ReferencePagination

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Label search.")],
        summary="Search ESCO skills",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        text = self.request.query_params.get("q", "").strip()[:100]
        skills = EscoSkill.objects.skills().prefetch_related("labels")
        return skills.search(text) if text else skills.order_by("preferred_label")


class VocabularyList(PublicReadMixin, generics.ListAPIView):
    """Concepts of the controlled vocabularies; ``scheme`` picks one (e.g. learning-assessment)."""

    serializer_class = ConceptSerializer
    pagination_class = ReferencePagination

    @extend_schema(
        parameters=[OpenApiParameter("scheme", str, enum=Scheme.values)],
        summary="List the concepts of the controlled vocabularies",
    )
    @api_errors({400: "Unknown vocabulary."})
    def get(self, request, *args, **kwargs):
        scheme = request.query_params.get("scheme")
        if scheme and scheme not in Scheme.values:
            raise ValidationError(
                {"scheme": [f"Unknown vocabulary; one of {', '.join(Scheme.values)}."]}
            )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        scheme = self.request.query_params.get("scheme")
        concepts = Concept.objects.all()
        return concepts.filter(scheme=scheme) if scheme else concepts


class ChangeFeed(APIView):
    """Every change to the catalogue in order: ``created``, ``updated``, ``unpublished``,
    ``deleted``. Resume with ``since`` = the last ``sequence`` you processed. A change to an
    opportunity that is not published now is reported as ``unpublished`` (or ``deleted``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", int, description="Last sequence already processed."),
            OpenApiParameter("limit", int, description="At most this many changes (1-1000)."),
        ],
        responses=ChangePageSchema,
        operation_id="changes_list",
        summary="Follow every change to the catalogue",
    )
    @api_errors({400: "since or limit is not a whole number in range."})
    def get(self, request):
        try:
            since = int(request.query_params.get("since", 0))
            limit = int(request.query_params.get("limit", 500))
        except ValueError as error:
            raise ValidationError(
                {"since": ["Enter whole numbers for since and limit."]}
            ) from error
        if not 1 <= limit <= 1000:
            raise ValidationError({"limit": ["Choose between 1 and 1000."]})
        if not 0 <= since <= MAX_ID:
            raise ValidationError({"since": ["Give a sequence number from a previous answer."]})
        changes, latest = catalogue_changes(since=since, limit=limit)
        last = changes[-1].sequence if changes else since
        next_url = None
        if last < latest:
            next_url = replace_query_param(request.build_absolute_uri(), "since", last)
        return Response(
            {
                "latest": latest,
                "next": next_url,
                "results": ChangeSerializer(changes, many=True).data,
            }
        )
