from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from catalogue.filters import SORT_CHOICES, OpportunitySearchFilterSet, SearchParams
from catalogue.presenters import active_filter_chips
from catalogue.selectors import (
    opportunity_detail,
    opportunity_related,
    opportunity_search,
    opportunity_search_total,
    skill_suggestions,
)
from descriptors.completeness import opportunity_completeness

MAX_PAGE = 10_000


def _page_number(value: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(value or 1)))
    except ValueError:
        return 1


def opportunity_search_view(request):
    filterset = OpportunitySearchFilterSet(request.GET)
    valid = filterset.is_valid()
    params = filterset.params() if valid else SearchParams()
    result = opportunity_search(
        params,
        page=_page_number(request.GET.get("page")),
        page_size=settings.OCLO_LIST_PAGE_SIZE,
    )
    chips = active_filter_chips(request.GET, result)
    if valid and result.total == 0:
        for chip in chips:
            without = OpportunitySearchFilterSet(_query_from(chip.remove_url))
            without.is_valid()
            chip.total_without = opportunity_search_total(without.params())
    skill_term = request.GET.get("skill_term", "").strip()[:100]
    context = {
        "skill_term": skill_term,
        "skill_suggestions": skill_suggestions(skill_term) if skill_term else None,
        "result": result,
        "filterset": filterset,
        "chips": chips,
        "sort_choices": SORT_CHOICES,
        "errors": None if valid else filterset.form.errors,
        "page_title": params.text or _("Find a micro-credential"),
    }
    return render(request, "catalogue/search.html", context, status=200 if valid else 400)


def skill_suggestions_view(request):
    term = request.GET.get("skill_term", "").strip()[:100]
    return render(
        request,
        "catalogue/_skill_suggestions.html",
        {"skills": skill_suggestions(term) if term else []},
    )


def _query_from(url: str) -> QueryDict:
    return QueryDict(url.lstrip("?"))


def opportunity_detail_view(request, pk: int):
    opportunity = opportunity_detail(pk=pk)
    return render(
        request,
        "catalogue/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "completeness": opportunity_completeness(opportunity),
            "related": opportunity_related(opportunity),
        },
    )
