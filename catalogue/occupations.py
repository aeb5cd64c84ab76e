"""Reads for "courses for this job": ESCO occupations, the skills they need, and the published
opportunities that teach the ones a learner is missing."""

from django.shortcuts import get_object_or_404

from taxonomies.models import EscoOccupation


def occupation_by_key(key: str) -> EscoOccupation:
    """An occupation by the last segment of its URI, or 404."""
    return get_object_or_404(
        EscoOccupation.objects.occupations().prefetch_related("labels"),
        uri=f"{EscoOccupation.URI_PREFIXES[0]}{key}",
    )
