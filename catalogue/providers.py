"""Reads for the provider page: who the provider is, how its offer is quality assured, and
what it publishes."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404

from catalogue.selectors import opportunity_cards
from descriptors.models import LearningOpportunity, Organisation

PROVIDER_PAGE_CARDS = 12


@dataclass
class ProviderPage:
    organisation: Organisation
    total: int
    opportunities: list[LearningOpportunity]
    # (kind of quality assurance, how many of its published opportunities state it)
    quality_assurance: list[tuple[str, int]]


def provider_page(*, pk: int) -> ProviderPage:
    """An organisation, the first of its published opportunities by title and the kinds of
    quality assurance they state, most frequent first; 404 if there is no such organisation."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("country", "provider_type"), pk=pk
    )
    published = LearningOpportunity.objects.published().filter(provider=organisation)
    quality_assurance = Counter(
        str(opportunity.quality_assurance_type)
        for opportunity in published.filter(quality_assurance_type__isnull=False)
        .select_related("quality_assurance_type")
        .only("quality_assurance_type")
    )
    return ProviderPage(
        organisation=organisation,
        total=published.count(),
        opportunities=list(
            opportunity_cards()
            .published()
            .filter(provider=organisation)
            .order_by("title")[:PROVIDER_PAGE_CARDS]
        ),
        quality_assurance=quality_assurance.most_common(),
    )


def provider_keys_matching(term: str, *, limit: int = 20) -> list[str]:
    """Facet keys (ids) of the publishing organisations whose name contains ``term``."""
    publishing = LearningOpportunity.objects.published().values("provider")
    matching = Organisation.objects.filter(pk__in=publishing).filter(
        Q(name__icontains=term) | Q(legal_name__icontains=term)
    )
    return [str(pk) for pk in matching.order_by("name").values_list("pk", flat=True)[:limit]]
