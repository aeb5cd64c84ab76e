from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.urlpatterns import format_suffix_patterns

from catalogue.api import (
    changes,
    dataset,
    editions,
    occupations,
    opportunities,
    organisations,
    suggestions,
    vocabularies,
    writes,
)
from catalogue.api.formats import Resource, suffixes_for

app_name = "api"


def _in_every_format(route: str, view, name: str, resource: Resource) -> list:
    """``route`` with the suffix of each format registered for ``resource``
    (``learning-opportunities.csv``, ``learning-opportunities/7.ob3.json``)."""
    return format_suffix_patterns(
        [path(route, view.as_view(), name=name)],
        suffix_required=True,
        allowed=suffixes_for(resource),
    )


formats = [
    *_in_every_format(
        "learning-opportunities",
        opportunities.OpportunityListView,
        "opportunity-list-format",
        Resource.SEARCH,
    ),
    *_in_every_format(
        "learning-opportunities/<id:pk>",
        opportunities.OpportunityDetailView,
        "opportunity-detail-format",
        Resource.OPPORTUNITY,
    ),
    *_in_every_format(
        "dataset/records", dataset.DatasetRecordsView, "dataset-records", Resource.DATASET
    ),
]

urlpatterns = [
    *formats,
    path(
        "learning-opportunities/",
        opportunities.OpportunityListView.as_view(),
        name="opportunity-list",
    ),
    path(
        "learning-opportunities/<id:pk>/",
        opportunities.OpportunityDetailView.as_view(),
        name="opportunity-detail",
    ),
    path(
        "learning-opportunities/import/",
        writes.OpportunityImportView.as_view(),
        name="opportunity-import",
    ),
    path(
        "learning-opportunities/imports/<id:pk>/",
        writes.OpportunityImportJobView.as_view(),
        name="opportunity-import-job",
    ),
    path(
        "learning-opportunities/<id:pk>/editions/",
        editions.OpportunityEditionsView.as_view(),
        name="opportunity-editions",
    ),
    path(
        "learning-opportunities/<id:pk>/editions/<id:edition_pk>/",
        editions.OpportunityEditionView.as_view(),
        name="opportunity-edition",
    ),
    path(
        "learning-opportunities/<id:pk>/publish/",
        opportunities.OpportunityPublishView.as_view(),
        name="opportunity-publish",
    ),
    path(
        "learning-opportunities/<id:pk>/archive/",
        opportunities.OpportunityArchiveView.as_view(),
        name="opportunity-archive",
    ),
    path(
        "search-suggestions/",
        suggestions.SearchSuggestionsView.as_view(),
        name="search-suggestions",
    ),
    path("providers/", organisations.ProviderList.as_view(), name="provider-list"),
    path("providers/<id:pk>/", organisations.ProviderDetail.as_view(), name="provider-detail"),
    path("eqf-levels/", vocabularies.EqfLevelList.as_view(), name="eqf-levels"),
    path("nqf-levels/", vocabularies.NqfLevelList.as_view(), name="nqf-levels"),
    path("isced-fields/", vocabularies.IscedFieldTree.as_view(), name="isced-fields"),
    path("esco-skills/", vocabularies.EscoSkillList.as_view(), name="esco-skills"),
    path(
        "esco-skills/suggest/", occupations.EscoSkillSuggest.as_view(), name="esco-skills-suggest"
    ),
    path("vocabularies/", vocabularies.VocabularyList.as_view(), name="vocabularies"),
    path("esco/", occupations.EscoReleaseView.as_view(), name="esco-release"),
    path("esco-occupations/", occupations.EscoOccupationList.as_view(), name="esco-occupations"),
    path(
        "esco-occupations/<str:key>/",
        occupations.EscoOccupationDetail.as_view(),
        name="esco-occupation",
    ),
    path(
        "esco-occupations/<str:key>/opportunities/",
        occupations.CoursesForJobView.as_view(),
        name="esco-occupation-opportunities",
    ),
    path("changes/", changes.ChangeFeed.as_view(), name="changes"),
    path("dataset/", dataset.DatasetView.as_view(), name="dataset"),
    path(
        "dataset/withdrawals.xml",
        dataset.DatasetWithdrawalsAtomView.as_view(),
        name="dataset-withdrawals-xml",
    ),
    path(
        "dataset/withdrawals.json",
        dataset.DatasetWithdrawalsJsonView.as_view(),
        name="dataset-withdrawals-json",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from this address: no inline script, which the
    # Content Security Policy would block.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="catalogue/api_docs.html"
        ),
        name="docs",
    ),
]
