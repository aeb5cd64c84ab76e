"""Reads for the public catalogue pages."""

from django.shortcuts import get_object_or_404

from descriptors.models import LearningOpportunity


def opportunity_list() -> "list[LearningOpportunity]":
    """Published opportunities with what a list card shows, title order."""
    return LearningOpportunity.objects.published().with_card_data().order_by("title", "id")


def opportunity_detail(*, pk: int) -> LearningOpportunity:
    """One published opportunity with every descriptor, or 404."""
    return get_object_or_404(LearningOpportunity.objects.published().with_detail_data(), pk=pk)
