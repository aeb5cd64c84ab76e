"""Reads for the public catalogue's pages: cards, the detail page, versions and the change
log. The faceted search is its own room: ``catalogue.search``."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404

from catalogue.models import MAX_ID, CatalogueChange
from catalogue.search.facet_index import latest_log_entry, log_entry
from descriptors.models import LearningOpportunity, LearningOutcome
from taxonomies.models import EscoSkill

CARD_OUTCOMES = 2


def opportunity_cards(*, with_outcomes: bool = True):
    """What a learner's card shows: the list data plus the credential and the first outcomes;
    ``with_outcomes=False`` leaves those to ``card_outcomes_add``, for a list that is not
    always shown as cards (the search: the API answers without them)."""
    cards = LearningOpportunity.objects.with_card_data().select_related("credential_type")
    return cards.prefetch_related(_first_outcomes()) if with_outcomes else cards


def card_outcomes_add(opportunities: list[LearningOpportunity]) -> None:
    """The first outcomes of opportunities loaded without them, for their cards."""
    prefetch_related_objects(opportunities, _first_outcomes())


def _first_outcomes() -> Prefetch:
    """``first_outcomes``: only those are read, a window per opportunity in the same query."""
    first = LearningOutcome.objects.only("opportunity_id", "title", "title_translations")
    return Prefetch("outcomes", first[:CARD_OUTCOMES], to_attr="first_outcomes")


# Raw SQL on a plain cursor because every detail answer runs it first (for its ETag): building
# the same query through the ORM cost four times its round trip to the database, and even a raw
# queryset's model instance took longer than the query.
LATEST_CHANGE_SQL = (
    f"SELECT change.sequence, change.changed_at FROM {CatalogueChange._meta.db_table} change "
    f"JOIN {LearningOpportunity._meta.db_table} opportunity "
    "ON opportunity.id = change.opportunity_id "
    "WHERE change.opportunity_id = %s AND opportunity.status = %s "
    "ORDER BY change.sequence DESC LIMIT 1"
)


def opportunity_version(*, pk: int):
    """(sequence, time) of the latest change to a published opportunity, or 404."""
    if not 0 < pk <= MAX_ID:  # the raw query would overflow instead of finding nothing
        raise Http404("No LearningOpportunity matches the given query.")
    if latest := log_entry(LATEST_CHANGE_SQL, [pk, LearningOpportunity.Status.PUBLISHED]):
        return latest
    # Records loaded without the change log (raw fixtures) fall back to their own timestamp.
    modified = (
        LearningOpportunity.objects.published()
        .filter(pk=pk)
        .values_list("modified", flat=True)
        .first()
    )
    if modified is None:
        raise Http404("No LearningOpportunity matches the given query.")
    return 0, modified


def opportunity_versions(ids: list[int]) -> dict[int, str]:
    """Per opportunity of ``ids`` still in the database, a mark that changes whenever what
    its summary shows changes: its latest entry in the change log (an edit of one of its
    parts, links or organisations writes one too) and its own time of change (records loaded
    without the log have only that)."""
    latest = (
        CatalogueChange.objects.filter(opportunity_id=OuterRef("pk"))
        .order_by("-sequence")
        .values("sequence")[:1]
    )
    rows = (
        LearningOpportunity.objects.filter(pk__in=ids)
        .annotate(latest_change=Subquery(latest))
        .values_list("pk", "latest_change", "modified")
    )
    return {pk: f"{sequence or 0}-{modified.timestamp()}" for pk, sequence, modified in rows}


def catalogue_changes(*, since: int, limit: int) -> tuple[list[CatalogueChange], int]:
    """Up to ``limit`` log entries after sequence ``since``, and the newest sequence. Each
    entry reads as it was written (``search.indexing``): what was served once is served again."""
    changes = list(CatalogueChange.objects.filter(sequence__gt=since)[:limit])
    latest, _ = latest_log_entry()
    return changes, latest


def opportunity_detail(*, pk: int) -> LearningOpportunity:
    """One published opportunity with every descriptor, or 404."""
    return get_object_or_404(LearningOpportunity.objects.published().with_detail_data(), pk=pk)


def opportunity_related(opportunity: LearningOpportunity, *, limit: int = 4):
    """Published opportunities sharing ESCO skills or an ISCED-F field, most shared first."""
    skills = [skill.pk for outcome in opportunity.outcomes.all() for skill in outcome.skills.all()]
    fields = [field.pk for field in opportunity.isced_fields.all()]
    return (
        opportunity_cards()
        .published()
        .exclude(pk=opportunity.pk)
        .annotate(
            shared_skills=Count(
                "outcomes__skills", filter=Q(outcomes__skills__in=skills), distinct=True
            ),
            shared_fields=Count("isced_fields", filter=Q(isced_fields__in=fields), distinct=True),
        )
        .filter(Q(shared_skills__gt=0) | Q(shared_fields__gt=0))
        .order_by("-shared_skills", "-shared_fields", "title")[:limit]
    )


def skill_by_key(key: str) -> EscoSkill:
    """An ESCO concept by the last segment of its URI, with its neighbours, or 404."""
    return get_object_or_404(
        EscoSkill.objects.prefetch_related("labels", "broader", "narrower"),
        uri__in=[f"{prefix}{key}" for prefix in EscoSkill.URI_PREFIXES],
    )
