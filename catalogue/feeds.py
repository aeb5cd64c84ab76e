"""Saved searches as feeds, with no account: every search page links an Atom feed of its newest
matches and an iCalendar feed of their editions' starts and application deadlines.

Both read the address with the search page's FilterSet and ask the search page's selector, so a
feed holds exactly what the page would list; subscribing is copying a link into a feed reader
or a calendar app.
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalogue import learner
from catalogue.filters import OpportunitySearchFilterSet, SearchParams
from catalogue.ical import CalendarEvent, dump_calendar
from catalogue.search.filter_chips import NOT_FILTERS, SearchQuery, active_filter_chips
from catalogue.search.results import SearchResult, opportunity_search
from descriptors.models import Edition, LearningOpportunity

FEED_ENTRIES = 50
# A calendar of a broad search would otherwise hold the whole catalogue: the soonest first.
CALENDAR_OPPORTUNITIES = 500


@dataclass
class SavedSearch:
    result: SearchResult
    title: str
    page_url: str  # the search page this feed follows
    feed_url: str  # the feed itself, with its search


def _invalid(filterset: OpportunitySearchFilterSet) -> HttpResponse:
    lines = [_("This search cannot be followed:")] + [
        f"{name}: {' '.join(messages)}" for name, messages in filterset.form.errors.items()
    ]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain")


def _saved_search(request, params: SearchParams, *, sort: str, size: int) -> SavedSearch:
    query = SearchQuery(request.GET)
    result = opportunity_search(replace(params, sort=sort), page_size=size)
    chips = [chip.label for chip in active_filter_chips(query, result)]
    title = (
        _("OCLO: %(search)s") % {"search": ", ".join(chips)}
        if chips
        else _("OCLO: new learning opportunities")
    )
    page_query = "&".join(piece for name, _value, piece in query.pairs if name not in NOT_FILTERS)
    page_url = reverse("catalogue:search") + (f"?{page_query}" if page_query else "")
    return SavedSearch(result, title, page_url, request.get_full_path())


def _search_feed_view(render):
    """A view that validates the search like the page does (400 with the reasons) and hands
    the parsed parameters to ``render``."""

    def view(request):
        filterset = OpportunitySearchFilterSet(request.GET)
        if not filterset.is_valid():
            return _invalid(filterset)
        return render(request, filterset.params())

    return view


class SearchAtomFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *, params: SearchParams) -> SavedSearch:
        return _saved_search(request, params, sort="newest", size=FEED_ENTRIES)

    def title(self, search: SavedSearch) -> str:
        return search.title

    def link(self, search: SavedSearch) -> str:
        return search.page_url

    def feed_url(self, search: SavedSearch) -> str:
        return search.feed_url

    def subtitle(self, search: SavedSearch) -> str:
        return _("The newest learning opportunities that match this search.")

    def items(self, search: SavedSearch) -> list[LearningOpportunity]:
        return search.result.opportunities

    def item_title(self, opportunity: LearningOpportunity) -> str:
        return opportunity.localized_title

    def item_description(self, opportunity: LearningOpportunity) -> str:
        facts = [
            opportunity.provider.name,
            learner.next_start(opportunity, timezone.localdate()).label,
            learner.price_label(opportunity.headline_edition),
        ]
        summary = Truncator(opportunity.localized_description).chars(400)
        return " · ".join(facts) + (f"\n\n{summary}" if summary else "")

    def item_link(self, opportunity: LearningOpportunity) -> str:
        return reverse("catalogue:opportunity-detail", args=[opportunity.pk])

    def item_pubdate(self, opportunity: LearningOpportunity):
        return opportunity.published_at or opportunity.created

    def item_updateddate(self, opportunity: LearningOpportunity):
        return opportunity.modified

    def item_author_name(self, opportunity: LearningOpportunity) -> str:
        return opportunity.provider.name

    def item_categories(self, opportunity: LearningOpportunity) -> list[str]:
        return [str(field) for field in opportunity.isced_fields.all()]


def _atom(request, params: SearchParams) -> HttpResponse:
    return SearchAtomFeed()(request, params=params)


search_atom_view = _search_feed_view(_atom)


def _uid(edition: Edition, what: str) -> str:
    host = settings.OCLO_BASE_URL.split("://", 1)[-1].split("/", 1)[0]
    return f"edition-{edition.pk}-{what}@{host}"


def _edition_events(request, opportunity: LearningOpportunity) -> list[CalendarEvent]:
    """The start and the application deadline of each edition not yet over."""
    url = request.build_absolute_uri(reverse("catalogue:opportunity-detail", args=[opportunity.pk]))
    title = opportunity.localized_title
    events = []
    for edition in opportunity.current_editions:
        description = " · ".join(
            part for part in (opportunity.provider.name, learner.price_label(edition), url) if part
        )
        dated = (
            (
                "start",
                None if edition.any_start_date else edition.start_date,
                _("Starts: %(title)s"),
            ),
            ("deadline", edition.application_deadline, _("Application deadline: %(title)s")),
        )
        events.extend(
            CalendarEvent(
                uid=_uid(edition, what),
                day=day,
                summary=summary % {"title": title},
                description=description,
                url=url,
                stamp=opportunity.modified,
            )
            for what, day, summary in dated
            if day
        )
    return events


def _calendar(request, params: SearchParams) -> HttpResponse:
    search = _saved_search(request, params, sort="start", size=CALENDAR_OPPORTUNITIES)
    events = [
        event
        for opportunity in search.result.opportunities
        for event in _edition_events(request, opportunity)
    ]
    body = dump_calendar(name=search.title, url=request.build_absolute_uri(), events=events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="oclo-search.ics"'
    return response


search_calendar_view = _search_feed_view(_calendar)
