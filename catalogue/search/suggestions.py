"""Search as you type: what the first letters typed in the search box may stand for.

Titles of published opportunities (straight to the record), ESCO skills, providers and fields
of education that published opportunities have (to the search filtered by them), each with
how many opportunities it leads to. The search box (static/js/oclo.js) and the API
(``/api/v1/search-suggestions/``) both ask ``search_suggestions``. The skill facet's "find a
skill" box asks ``skill_suggestions``.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from catalogue.models import SearchDocument
from catalogue.search.facet_counts import FacetValue, facet_totals
from catalogue.search.facets import facet_by_key
from catalogue.search.words import words
from descriptors.models import LearningOpportunity, OpportunityTranslation, Organisation
from descriptors.models.base import visitor_language
from descriptors.text import fold
from taxonomies.models import EscoSkill

# Fewer letters than this suggest nothing: one letter matches half the catalogue.
MIN_LETTERS = 2
# How many of each kind at most, titles first.
PER_KIND = {"title": 4, "skill": 3, "provider": 2, "field": 2}
KIND_LABELS = {
    "title": _("Learning opportunity"),
    "skill": _("ESCO skill"),
    "provider": _("Provider"),
    "field": _("Field of education"),
}


@dataclass(frozen=True)
class SearchSuggestion:
    kind: str  # title, skill, provider or field
    label: str
    url: str  # the record's page, or the search filtered by the value
    count: int  # published opportunities it leads to

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def search_suggestions(term: str) -> list[SearchSuggestion]:
    """Suggestions for what has been typed so far (the last word may be unfinished)."""
    typed = words(term)
    if len("".join(typed)) < MIN_LETTERS:
        return []
    return _titles(typed) + _skills(term) + _providers(typed) + _fields(typed)


def _starts_words(typed: list[str], text: str) -> bool:
    """Whether every typed word begins a word of the text."""
    text_words = words(text)
    return all(any(word.startswith(part) for word in text_words) for part in typed)


def _titles(typed: list[str]) -> list[SearchSuggestion]:
    """Records one of whose titles (their own or a translation) the typed words begin, each
    shown by that title: in the visitor's language when it is one of those that match."""
    limit = PER_KIND["title"]
    published = LearningOpportunity.objects.published()
    if connection.vendor == "postgresql":
        # The title vector holds every title of a record: it narrows the candidates quickly.
        prefixes = " & ".join(f"'{part}':*" for part in typed)
        candidates = SearchDocument.objects.filter(
            opportunity__status=LearningOpportunity.Status.PUBLISHED,
            title_vector=SearchQuery(prefixes, search_type="raw", config="simple"),
        ).values_list("opportunity_id", flat=True)[: limit * 20]
        published = published.filter(pk__in=list(candidates))
    language = visitor_language()
    shown: dict[int, tuple[bool, bool, str]] = {}
    for pk, code, title in _every_title(published):
        if _starts_words(typed, title):
            # The visitor's language first, then the record's own title, then the others.
            choice = (code != language, code is not None, title)
            shown[pk] = min(shown.get(pk, choice), choice)
    # Shortest first: the title someone is typing is more often the short one.
    rows = sorted(
        ((pk, title) for pk, (_, _, title) in shown.items()),
        key=lambda row: (len(row[1]), row[1]),
    )[:limit]
    return [
        SearchSuggestion("title", title, reverse("catalogue:opportunity-detail", args=[pk]), 1)
        for pk, title in rows
    ]


def _every_title(opportunities) -> Iterator[tuple[int, str | None, str]]:
    """(id, language code or None for the record's own, title) of every title they have."""
    for pk, title in opportunities.values_list("pk", "title").iterator():
        yield pk, None, title
    yield from (
        OpportunityTranslation.objects.filter(opportunity__in=opportunities)
        .values_list("opportunity_id", "language__short_code", "title")
        .iterator()
    )


def _filtered(key: str, value: str) -> str:
    return reverse("catalogue:search") + "?" + urlencode({key: value})


def _skills(term: str) -> list[SearchSuggestion]:
    totals = facet_totals("skill")
    skills = [
        skill
        for skill in EscoSkill.objects.skills().search(term).prefetch_related("labels")[:30]
        if totals.get(skill.key)
    ]
    skills.sort(key=lambda skill: -totals[skill.key])
    return [
        SearchSuggestion(
            "skill", skill.localized_label, _filtered("skill", skill.key), totals[skill.key]
        )
        for skill in skills[: PER_KIND["skill"]]
    ]


def _providers(typed: list[str]) -> list[SearchSuggestion]:
    totals = facet_totals("provider")
    names = Organisation.objects.filter(pk__in=[int(key) for key in totals]).values_list(
        "pk", "name"
    )
    found = [(str(pk), name) for pk, name in names if _starts_words(typed, name)]
    found.sort(key=lambda item: -totals[item[0]])
    return [
        SearchSuggestion("provider", name, _filtered("provider", key), totals[key])
        for key, name in found[: PER_KIND["provider"]]
    ]


def _fields(typed: list[str]) -> list[SearchSuggestion]:
    totals = facet_totals("isced")
    labels = facet_by_key("isced").labels(list(totals))
    found = [(code, label) for code, label in labels.items() if _starts_words(typed, fold(label))]
    found.sort(key=lambda item: -totals[item[0]])
    return [
        SearchSuggestion("field", label, _filtered("isced", code), totals[code])
        for code, label in found[: PER_KIND["field"]]
    ]


def skill_suggestions(term: str, *, limit: int = 10) -> list[FacetValue]:
    """ESCO skills (the full set, not only those in use) whose labels contain ``term``."""
    skills = EscoSkill.objects.skills().search(term).prefetch_related("labels")[:limit]
    return [FacetValue(skill.key, skill.localized_label, 0, False) for skill in skills]
