"""The dataset harvesters pull: its DCAT description, its records as paged LOQ XML or ELM
JSON-LD, and its withdrawals (reads in ``catalogue.dataset``)."""

import hashlib
from datetime import UTC

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from catalogue.api.base import PublicReadMixin, cursor_decode, cursor_encode, rendered
from catalogue.api.errors import api_errors
from catalogue.api.formats import (
    Resource,
    format_negotiated,
    formats_for,
    renderers_for,
    responses_for,
)
from catalogue.api.renderers import AtomRenderer, DcatRenderer, SuffixFirstNegotiation
from catalogue.api.schema import NOT_MODIFIED
from catalogue.dataset import (
    DatasetVersion,
    dataset_record_count,
    dataset_record_ids,
    dataset_records,
    dataset_version,
    dataset_withdrawals,
)
from catalogue.dataset_formats import dump_dcat, dump_withdrawals_atom

DESCRIPTION_SETTINGS = [
    "OCLO_BASE_URL",
    "OCLO_DATASET_TITLE",
    "OCLO_DATASET_DESCRIPTION",
    "OCLO_DATASET_PUBLISHER_NAME",
    "OCLO_DATASET_PUBLISHER_URL",
    "OCLO_DATASET_CONTACT_EMAIL",
    "OCLO_DATASET_LICENCE",
]
INVALID_SINCE = "Give a date and time in ISO 8601, e.g. 2026-03-01T00:00:00Z."


class PageSizeField(serializers.IntegerField):
    """1 to ``OCLO_DATASET_PAGE_SIZE``, one message for any other value."""

    def to_internal_value(self, data) -> int:
        try:
            size = super().to_internal_value(data)
        except ValidationError:
            size = 0
        if not 1 <= size <= settings.OCLO_DATASET_PAGE_SIZE:
            raise ValidationError(
                f"Choose a whole number from 1 to {settings.OCLO_DATASET_PAGE_SIZE}."
            )
        return size


class HarvestWindowSerializer(serializers.Serializer):
    """A harvest's query parameters: the views parse them with this, the schema documents them
    from it."""

    modified_since = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default_timezone=UTC,
        help_text=(
            "ISO 8601 date and time (UTC if no offset): only what changed at or after it. Give "
            "the `Date` of the first answer of your previous harvest."
        ),
        error_messages={"invalid": INVALID_SINCE, "overflow": INVALID_SINCE},
    )
    cursor = serializers.CharField(
        required=False, allow_blank=True, help_text="From the `next` link of the previous page."
    )
    page_size = PageSizeField(
        required=False,
        min_value=1,
        help_text="Records per page, 1 to the maximum (100 by default).",
    )

    def validate_cursor(self, value: str) -> int:
        # An empty cursor is the first page, as no cursor is.
        return cursor_decode(value) if value else 0


HARVEST_ERRORS = {400: "modified_since, cursor or page_size is rejected."}


class ConditionalDatasetMixin(PublicReadMixin):
    """Every answer of the dataset changes only with the change log: its ETag is the log's
    latest entry and the request, so a harvester's re-poll of an unchanged page costs a 304."""

    def conditional(self, request, build, *, variant: str = "") -> HttpResponse:
        """The answer ``build`` gives for the dataset's version, or a 304; ``variant`` is what
        else it depends on."""
        version = dataset_version()
        url = request.build_absolute_uri()
        key = f"dataset:{version.sequence}:{hashlib.sha256((url + variant).encode()).hexdigest()}"
        etag = quote_etag(f"{key}:{request.accepted_renderer.format}:{get_language()}")
        last_modified = int(version.modified.timestamp()) if version.modified else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = rendered(self, request, key, lambda: build(version))
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        return response


def _harvest_window(request) -> tuple[int, int, object]:
    """(after this id, page size, modified_since) from the query, or a 400."""
    window = HarvestWindowSerializer(data=request.query_params)
    window.is_valid(raise_exception=True)
    values = window.validated_data
    return (
        values.get("cursor", 0),
        values.get("page_size", settings.OCLO_DATASET_PAGE_SIZE),
        values.get("modified_since"),
    )


def _with_next_link(response: HttpResponse, request, next_id: int | None) -> HttpResponse:
    if next_id is not None:
        url = replace_query_param(request.build_absolute_uri(), "cursor", cursor_encode(next_id))
        response["Link"] = f'<{url}>; rel="next"'
    return response


class DatasetView(ConditionalDatasetMixin, APIView):
    """The dataset's description in DCAT (JSON-LD): publisher, licence, contact point, when it
    last changed, how many records, and where to harvest them."""

    renderer_classes = [DcatRenderer]

    @extend_schema(
        summary="Describe the dataset (DCAT)",
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                response={"type": "object", "additionalProperties": True},
                description="A `dcat:Dataset` in JSON-LD.",
            ),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request):
        def description(version: DatasetVersion) -> dict:
            return dump_dcat(
                url=request.build_absolute_uri(),
                modified=version.modified,
                record_count=dataset_record_count(),
                distributions={
                    output.media_type: request.build_absolute_uri(
                        reverse("api:dataset-records", kwargs={"format": output.suffix})
                    )
                    for output in formats_for(Resource.DATASET)
                },
            )

        # A new publisher or licence is a new description, whatever the log says.
        variant = repr([getattr(settings, name) for name in DESCRIPTION_SETTINGS])
        return self.conditional(request, description, variant=variant)


class DatasetRecordsView(ConditionalDatasetMixin, APIView):
    """Every published record, a page at a time in id order, in each format that writes the
    dataset (``catalogue.api.formats``): ELM LOQ XML (`records.xml`, a `Courses` document per
    page, valid against loq.xsd) or ELM JSON-LD (`records.jsonld`, one `@graph` per page). A
    record is a micro-credential: its `LearningAchievementSpecification`, whose `id` is the
    record's stable IRI, and a `LearningOpportunity` per published edition (one for a record
    without any). Follow the `Link: rel="next"` header to the end; with `modified_since`, only
    records changed since. What left the catalogue is in `dataset/withdrawals.xml` (or
    `.json`)."""

    renderer_classes = renderers_for(Resource.DATASET)
    content_negotiation_class = SuffixFirstNegotiation

    @extend_schema(
        summary="Harvest the records as ELM LOQ XML or ELM JSON-LD",
        parameters=[HarvestWindowSerializer],
        responses={**responses_for(Resource.DATASET), 304: NOT_MODIFIED},
    )
    @api_errors(HARVEST_ERRORS)
    def get(self, request, format=None):
        after_id, size, since = _harvest_window(request)
        ids = dataset_record_ids(after_id=after_id, limit=size, modified_since=since)
        dump = format_negotiated(request).exports[Resource.DATASET].dump
        response = self.conditional(request, lambda version: dump(dataset_records(ids)))
        return _with_next_link(response, request, ids[-1] if len(ids) == size else None)


class WithdrawalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="opportunity_id")
    iri = serializers.CharField()
    kind = serializers.ChoiceField(choices=["unpublished", "deleted"])
    withdrawn_at = serializers.DateTimeField()


class DatasetWithdrawalsView(ConditionalDatasetMixin, APIView):
    """Pages of withdrawn records in id order; a subclass gives the format (``document``)."""

    def get(self, request):
        after_id, size, since = _harvest_window(request)
        withdrawals = dataset_withdrawals(after_id=after_id, limit=size, modified_since=since)
        next_id = withdrawals[-1].opportunity_id if len(withdrawals) == size else None
        response = self.conditional(
            request, lambda version: self.document(request, withdrawals, version, next_id)
        )
        return _with_next_link(response, request, next_id)


class DatasetWithdrawalsAtomView(DatasetWithdrawalsView):
    """Records that were published and are not any more, as an Atom feed of tombstones
    (RFC 6721 `at:deleted-entry`, `ref` = the record's stable IRI, `when` = the withdrawal),
    in id order; with `modified_since`, those withdrawn since. Delete your copies of them."""

    renderer_classes = [AtomRenderer]

    @staticmethod
    def document(request, withdrawals, version, next_id) -> bytes:
        url = request.build_absolute_uri()
        next_url = replace_query_param(url, "cursor", cursor_encode(next_id)) if next_id else None
        return dump_withdrawals_atom(
            withdrawals, url=url, next_url=next_url, updated=version.modified
        )

    @extend_schema(
        summary="Harvest the withdrawals as Atom tombstones",
        parameters=[HarvestWindowSerializer],
        responses={
            (200, "application/atom+xml"): OpenApiResponse(
                response={"type": "string"},
                description="An Atom feed with an `at:deleted-entry` (RFC 6721) per record.",
            ),
            304: NOT_MODIFIED,
        },
    )
    @api_errors(HARVEST_ERRORS)
    def get(self, request):
        return super().get(request)


class DatasetWithdrawalsJsonView(DatasetWithdrawalsView):
    """Records that were published and are not any more, as JSON (id, stable IRI, kind,
    when), in id order; with `modified_since`, those withdrawn since. Delete your copies."""

    renderer_classes = [JSONRenderer]

    @staticmethod
    def document(request, withdrawals, version, next_id) -> list:
        return WithdrawalSerializer(withdrawals, many=True).data

    @extend_schema(
        summary="Harvest the withdrawals as JSON",
        parameters=[HarvestWindowSerializer],
        responses={
            200: WithdrawalSerializer(many=True),
            304: NOT_MODIFIED,
        },
    )
    @api_errors(HARVEST_ERRORS)
    def get(self, request):
        return super().get(request)
