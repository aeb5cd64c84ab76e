"""Pages of "courses for this job": pick an occupation, see what it needs and what teaches it."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language

from catalogue.filters import SearchParams
from catalogue.occupations import (
    CoursesForJobFilterSet,
    courses_for_job,
    occupation_by_key,
    occupation_suggestions,
)
from catalogue.search.suggestions import skill_suggestions
from catalogue.views import _page_number, _skill_term
from taxonomies.selectors import occupation_labels_loaded


def _occupation_term(request) -> str:
    return request.GET.get("occupation_term", "").strip()[:100]


def occupation_pick_view(request):
    term = _occupation_term(request)
    return render(
        request,
        "catalogue/occupation_pick.html",
        {
            "term": term,
            "occupations": occupation_suggestions(term, limit=30) if term else None,
            # The examples are names people can type: in English when the visitor's language
            # has no occupation names loaded.
            "names_in_language": occupation_labels_loaded(get_language() or "en"),
        },
    )


def occupation_suggestions_view(request):
    term = _occupation_term(request)
    return render(
        request,
        "catalogue/_occupation_suggestions.html",
        {"occupations": occupation_suggestions(term) if term else []},
    )


def occupation_courses_view(request, key: str):
    occupation = occupation_by_key(key)
    filterset = CoursesForJobFilterSet(request.GET)
    valid = filterset.is_valid()
    result = courses_for_job(
        occupation,
        filterset.params() if valid else SearchParams(),
        held=filterset.held() if valid else set(),
        page=_page_number(request.GET.get("page")),
        page_size=settings.OCLO_LIST_PAGE_SIZE,
        with_path=valid and filterset.wants_path(),
    )
    skill_term = _skill_term(request)
    context = {
        "occupation": occupation,
        "result": result,
        "errors": None if valid else filterset.form.errors,
        "skill_term": skill_term,
        "skill_suggestions": skill_suggestions(skill_term) if skill_term else None,
    }
    return render(
        request, "catalogue/occupation_courses.html", context, status=200 if valid else 400
    )
