"""The "recognised by" search facet, plugged into the catalogue's facet definitions."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalogue.search.facets import Facet, organisation_labels
from recognition.models import Agreement, AgreementItem


def _recognised_by_pairs(opportunities: QuerySet) -> Iterable[tuple[int, str]]:
    # Agreements in force today: the facet index re-reads this facet each day.
    return AgreementItem.objects.filter(
        opportunity__in=opportunities, agreement__in=Agreement.objects.in_force()
    ).values_list("opportunity_id", "agreement__institution_id")


RECOGNISED_BY = Facet(
    "recognised_by",
    _("Recognised by"),
    _recognised_by_pairs,
    organisation_labels,
    changes_daily=True,
)
