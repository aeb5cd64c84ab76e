from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue import learner
from catalogue.compare import compare_ids, comparison
from catalogue.extensions import detail_sections, provider_sections
from catalogue.filters import SORT_CHOICES, OpportunitySearchFilterSet, SearchParams
from catalogue.providers import provider_keys_matching, provider_page
from catalogue.schema_org import course_jsonld, search_results_jsonld
from catalogue.search.facet_counts import facet_totals, facet_values_matching
from catalogue.search.facets import facet_by_key
from catalogue.search.filter_chips import (
    SearchQuery,
    active_filter_chips,
    chips_count_what_they_bring_back,
)
from catalogue.search.results import opportunity_search
from catalogue.search.suggestions import skill_suggestions
from catalogue.selectors import opportunity_detail, opportunity_related, skill_by_key
from descriptors.completeness import opportunity_completeness
from descriptors.models import Organisation
from descriptors.models.base import visitor_language
from taxonomies.models import EqfLevel, IscedField

MAX_PAGE = 10_000
FRAGMENT_CACHE_SECONDS = 600


def _skill_term(request) -> str:
    return request.GET.get("skill_term", "").strip()[:100]


def _provider_matches(request, params: SearchParams):
    """The providers whose name contains the "find a provider" box's text, with their counts
    in this search (None when the box is empty)."""
    term = request.GET.get("provider_term", "").strip()[:100]
    if not term:
        return None
    matches = facet_values_matching(params, "provider", provider_keys_matching(term))
    # Chosen providers are always in the facet's own list: a second box for one of them
    # would keep it chosen when the first is unticked.
    return [value for value in matches if not value.selected]


def _page_number(value: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(value or 1)))
    except ValueError:
        return 1


def opportunity_search_view(request):
    filterset = OpportunitySearchFilterSet(request.GET)
    valid = filterset.is_valid()
    # A bad parameter (an old bookmark, a hand-edited link) is left out and said so: the
    # others still apply.
    errors = {} if valid else filterset.form.errors
    params = filterset.params()
    result = opportunity_search(
        params,
        page=_page_number(request.GET.get("page")),
        page_size=settings.OCLO_LIST_PAGE_SIZE,
        titles_in=visitor_language(),  # the cards' titles
    )
    search_query = SearchQuery(request.GET, leaving_out=errors.keys())
    chips = active_filter_chips(search_query, result)
    if valid and result.total == 0:
        chips_count_what_they_bring_back(chips)
    skill_term = _skill_term(request)
    context = {
        "skill_term": skill_term,
        "skill_suggestions": skill_suggestions(skill_term) if skill_term else None,
        "provider_term": request.GET.get("provider_term", ""),
        "provider_matches": _provider_matches(request, params),
        "result": result,
        "filterset": filterset,
        "chips": chips,
        # The phone's "Filters (n)" button counts the filters, not the words searched for.
        "filter_count": sum(1 for chip in chips if chip.key != "q"),
        "csv_query": search_query.without("skill_term"),
        "corrected_query": search_query.with_text(result.corrected_text),
        "verbatim_query": search_query.with_text(params.text, verbatim=True),
        "sort_choices": SORT_CHOICES,
        "errors": filterset.refused() if errors else [],
        "page_title": params.text or _("Find a micro-credential"),
        "jsonld": search_results_jsonld(
            result.opportunities,
            lambda pk: request.build_absolute_uri(
                reverse("catalogue:opportunity-detail", args=[pk])
            ),
            first=(result.page - 1) * result.page_size + 1,
        ),
        # The rendered page is cached per catalogue version, query and language.
        "cache_seconds": FRAGMENT_CACHE_SECONDS if settings.OCLO_SEARCH_CACHE else 0,
    }
    return render(request, "catalogue/search.html", context, status=200 if valid else 400)


def skill_suggestions_view(request):
    term = _skill_term(request)
    return render(
        request,
        "catalogue/_skill_suggestions.html",
        {"skills": skill_suggestions(term) if term else []},
    )


def _manages(user, opportunity) -> bool:
    """Whether the visitor is staff of the record's provider (or a superuser)."""
    return (
        user.is_authenticated
        and Organisation.objects.for_user(user).filter(pk=opportunity.provider_id).exists()
    )


def provider_suggestions_view(request):
    filterset = OpportunitySearchFilterSet(request.GET)
    filterset.is_valid()  # the valid parameters apply, as on the page
    params = filterset.params()
    return render(
        request,
        "catalogue/_provider_matches.html",
        {"providers": _provider_matches(request, params)},
    )


def opportunity_detail_view(request, pk: int):
    opportunity = opportunity_detail(pk=pk)
    return render(
        request,
        "catalogue/opportunity_detail.html",
        {
            "opportunity": opportunity,
            # A score for the provider to act on; to a learner it reads as a verdict.
            "completeness": opportunity_completeness(opportunity)
            if _manages(request.user, opportunity)
            else None,
            "related": opportunity_related(opportunity),
            "extra_sections": detail_sections(opportunity),
            "jsonld": course_jsonld(opportunity, request.build_absolute_uri()),
        },
    )


def browse_fields_view(request):
    totals = facet_totals("isced")
    fields = IscedField.objects.filter(code__in=totals).order_by("code")
    tree = _as_field_tree([(field, totals[field.code]) for field in fields])
    return render(request, "catalogue/browse_fields.html", {"tree": tree})


def _as_field_tree(rows):
    roots, by_code = [], {}
    for field, count in rows:
        node = {"field": field, "count": count, "children": []}
        by_code[field.code] = node
        parent = by_code.get(field.parent_id)
        (parent["children"] if parent else roots).append(node)
    return roots


def browse_levels_view(request):
    totals = facet_totals("eqf")
    levels = [(level, totals.get(str(level.level), 0)) for level in EqfLevel.objects.all()]
    return render(request, "catalogue/browse_levels.html", {"levels": levels})


def browse_providers_view(request):
    totals = facet_totals("provider")
    providers = Organisation.objects.filter(pk__in=[int(key) for key in totals]).select_related(
        "country", "provider_type"
    )
    rows = sorted(((p, totals[str(p.pk)]) for p in providers), key=lambda row: row[0].name)
    return render(request, "catalogue/browse_providers.html", {"providers": rows})


def browse_skills_view(request):
    term = _skill_term(request)
    totals = facet_totals("skill")
    popular = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:60]
    labels = facet_by_key("skill").labels([key for key, _ in popular])
    return render(
        request,
        "catalogue/browse_skills.html",
        {
            "popular": [(key, labels.get(key, key), count) for key, count in popular],
            "skill_term": term,
            "matches": skill_suggestions(term, limit=30) if term else None,
        },
    )


def browse_skill_view(request, key: str):
    skill = skill_by_key(key)
    totals = facet_totals("skill")
    return render(
        request,
        "catalogue/browse_skill.html",
        {
            "skill": skill,
            "key": key,
            "teaching": totals.get(key, 0),
            "broader": skill.broader.all(),
            "narrower": skill.narrower.all().order_by("preferred_label")[:100],
        },
    )


def provider_view(request, pk: int):
    page = provider_page(pk=pk)
    return render(
        request,
        "catalogue/provider.html",
        {"page": page, "extra_sections": provider_sections(page.organisation)},
    )


def compare_view(request):
    ids, notices = compare_ids(request.GET.get("ids", ""))
    result = comparison(ids)
    result.notices[:0] = notices
    share_url = request.build_absolute_uri(reverse("catalogue:compare"))
    return render(
        request,
        "catalogue/compare.html",
        {
            "comparison": result,
            "asked": bool(ids),
            "share_url": f"{share_url}?ids={result.ids}" if result.opportunities else "",
        },
    )


def about_view(request):
    return render(request, "catalogue/about.html", {"eqf_hints": learner.EQF_HINTS.items()})


def robots_txt_view(request):
    sitemap = request.build_absolute_uri(reverse("catalogue:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /i18n/", f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def favicon_view(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says: send them the SVG
    (looked up per request, as the hashed static name exists only after collectstatic)."""
    return redirect(static("favicon.svg"), permanent=True)
