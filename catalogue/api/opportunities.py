"""The learning opportunities: the search (the search page's selector and filters, in every
format of ``catalogue.api.formats``), one opportunity in those formats, and their writes by
organisation tokens: create, replace, change, delete, publish, archive."""

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from catalogue.api.auth import OrganisationClient
from catalogue.api.base import (
    NOT_WRITABLE,
    HarvestPagingSerializer,
    OpportunityWriteMixin,
    PublicReadMixin,
    SearchFilterMixin,
    cursor_encode,
    rendered,
)
from catalogue.api.errors import api_errors
from catalogue.api.formats import (
    Resource,
    SearchPage,
    format_negotiated,
    renderers_for,
    responses_for,
)
from catalogue.api.renderers import SuffixFirstNegotiation
from catalogue.api.schema import NOT_MODIFIED
from catalogue.api.serializers import (
    OpportunityDetailSerializer,
    OpportunityPublishedSerializer,
    facets_requested,
)
from catalogue.api.writes import OpportunityWriteSerializer
from catalogue.filters import OpportunitySearchFilterSet
from catalogue.search.results import opportunity_search
from catalogue.selectors import opportunity_detail, opportunity_version
from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import opportunity_archive, opportunity_publish


def _page_links(request, result, *, page: int, size: int, after_id: int | None) -> dict:
    """The next (and previous) page's address: by cursor when harvesting, else by number."""
    url = request.build_absolute_uri()
    links = {}
    if after_id is not None:
        if len(result.ids) == size:
            links["next"] = replace_query_param(url, "cursor", cursor_encode(result.ids[-1]))
        return links
    if page < result.pages:
        links["next"] = replace_query_param(url, "page", page + 1)
    if page > 1:
        # Past the end, the previous page with results is the last one.
        previous = min(page - 1, result.pages)
        links["prev"] = (
            replace_query_param(url, "page", previous)
            if previous > 1
            else remove_query_param(url, "page")
        )
    return links


class OpportunityListView(SearchFilterMixin, OpportunityWriteMixin, PublicReadMixin, APIView):
    """Published learning opportunities: the same search, filters, facets and sort as the
    search page. Page through them with ``page`` (and ``page_size``), or harvest everything in
    id order with ``cursor`` (start with ``cursor=start``); add ``facets=true`` for counts."""

    filterset_class = OpportunitySearchFilterSet
    renderer_classes = renderers_for(Resource.SEARCH)

    @extend_schema(
        parameters=[
            HarvestPagingSerializer,
            OpenApiParameter("facets", bool, description="Include facet counts."),
        ],
        responses=responses_for(Resource.SEARCH),
        operation_id="learning_opportunities_list",
        summary="Search published learning opportunities",
    )
    @api_errors({400: "A filter, page, page_size or cursor is rejected."})
    def get(self, request, format=None):
        filterset = self.search_filterset(request)
        output = format_negotiated(request)
        # A download is of the whole result (up to a limit), not of one page.
        download = bool(output.download_name)
        paging = HarvestPagingSerializer.read(request)
        size = settings.OCLO_CSV_MAX_ROWS if download else paging["page_size"]
        after_id = paging.get("cursor")
        page = 1 if download else paging["page"]
        result = opportunity_search(
            filterset.params(),
            page=page,
            page_size=size,
            after_id=after_id,
            with_facets=facets_requested(request),
        )
        dump = output.exports[Resource.SEARCH].dump
        if download:
            response = Response(dump(SearchPage(result, request)))
            response["Content-Disposition"] = f'attachment; filename="{output.download_name}"'
            return response
        links = _page_links(request, result, page=page, size=size, after_id=after_id)
        query = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        response = rendered(
            self,
            request,
            f"api-list:{result.version}:{query}",
            lambda: dump(SearchPage(result, request, links)),
        )
        if links:
            response["Link"] = ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items())
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


class OpportunityDetailView(OpportunityWriteMixin, PublicReadMixin, APIView):
    """Every descriptor of one published opportunity, as JSON or, with ``.xml`` or
    ``Accept: application/xml``, as ELM LOQ XML. Supports ``If-None-Match`` and
    ``If-Modified-Since`` (304)."""

    renderer_classes = renderers_for(Resource.OPPORTUNITY)
    content_negotiation_class = SuffixFirstNegotiation

    @extend_schema(
        responses={**responses_for(Resource.OPPORTUNITY), 304: NOT_MODIFIED},
        summary="Read one published learning opportunity",
    )
    @api_errors({404: "No published learning opportunity has that id."})
    def get(self, request, pk: int, format=None):
        # The version is the opportunity's latest entry in the change log, which every change
        # (children, skills, organisation names) writes: it drives the ETag and the cache.
        sequence, changed_at = opportunity_version(pk=pk)
        output = format_negotiated(request)
        version = f"{pk}-{sequence}-{changed_at.timestamp()}"
        # Labels follow the negotiated language: each language is a representation of its own.
        etag = quote_etag(f"{version}-{output.suffix}-{get_language()}")
        last_modified = int(changed_at.timestamp())
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if conditional is not None:
            return conditional
        dump = output.exports[Resource.OPPORTUNITY].dump
        response = rendered(
            self, request, f"api-detail:{version}", lambda: dump(opportunity_detail(pk=pk), request)
        )
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
