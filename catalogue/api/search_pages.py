"""A page of search results in JSON. Each record's summary comes from the cache, kept under
the record's version: a computed search then reads only those versions from the database,
not the records (building the 20 summaries of a page from the database took three quarters
of a text search's time through the API)."""

import hashlib

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language

from catalogue.api.serializers import (
    OpportunitySummarySerializer,
    facet_json,
    facets_requested,
)
from catalogue.selectors import opportunity_versions
from descriptors.models import LearningOpportunity

# The key holds the record's version and the day, so a summary is never stale; the time only
# lets the records nobody finds any more leave the cache.
SUMMARY_CACHE_SECONDS = 24 * 3600


def search_page_json(result, request, links: dict[str, str]) -> dict:
    """A page of search results in the shape of ``OpportunityPageSchema``."""
    body = {
        "count": result.total,
        "next": links.get("next"),
        "previous": links.get("prev"),
        # A harvest walks every record once: its summaries would only push out those that
        # searches find again.
        "results": opportunity_summaries(
            result.ids, request, keep="cursor" not in request.query_params
        ),
    }
    if result.params.text:
        body["query"] = {
            "text": result.params.text,
            "corrected": result.corrected_text or None,
            "corrections": result.corrections,
            "all_words_required": not result.optional_words,
            "all_words_count": result.all_words_count,
        }
    if facets_requested(request):
        body["facets"] = [facet_json(facet) for facet in result.facets]
    return body


def opportunity_summaries(ids: list[int], request, *, keep: bool = True) -> list[dict]:
    """What ``OpportunitySummarySerializer`` gives for the opportunities of ``ids`` that are
    still in the database, in that order; only those not in the cache are read (and kept, if
    ``keep``)."""
    versions = opportunity_versions(ids)
    # Besides the record, a summary shows its address on the host asked, its labels in the
    # language asked and its next edition, which depends on the day.
    reading = f"{request.build_absolute_uri('/')} {get_language()} {timezone.localdate()}"
    reading = hashlib.sha256(reading.encode()).hexdigest()[:16]
    keys = {pk: f"summary:{pk}:{version}:{reading}" for pk, version in versions.items()}
    cache = caches["summaries"]
    summaries = cache.get_many(keys.values())
    if missing := [pk for pk, key in keys.items() if key not in summaries]:
        opportunities = LearningOpportunity.objects.with_summary_data().in_bulk(missing).values()
        serializer = OpportunitySummarySerializer(
            opportunities, many=True, context={"request": request}
        )
        built = {keys[summary["id"]]: summary for summary in serializer.data}
        if keep:
            cache.set_many(built, SUMMARY_CACHE_SECONDS)
        summaries |= built
    return [summaries[keys[pk]] for pk in ids if keys.get(pk) in summaries]
