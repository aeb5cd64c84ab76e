from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.urlpatterns import format_suffix_patterns

from catalogue.api import occupations, views, writes

app_name = "api"

# learning-opportunities/7.xml, .jsonld and learning-opportunities.xml, .csv: other formats.
formats = format_suffix_patterns(
    [
        path(
            "learning-opportunities",
            views.OpportunityListView.as_view(),
            name="opportunity-list-format",
        ),
    ],
    suffix_required=True,
    allowed=["json", "xml", "csv"],
) + format_suffix_patterns(
    [
        path(
            "learning-opportunities/<id:pk>",
            views.OpportunityDetailView.as_view(),
            name="opportunity-detail-format",
        ),
    ],
    suffix_required=True,
    allowed=["json", "xml", "jsonld"],
)

urlpatterns = [
    *formats,
    path("learning-opportunities/", views.OpportunityListView.as_view(), name="opportunity-list"),
    path(
        "learning-opportunities/<id:pk>/",
        views.OpportunityDetailView.as_view(),
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
        "learning-opportunities/<id:pk>/publish/",
        views.OpportunityPublishView.as_view(),
        name="opportunity-publish",
    ),
    path(
        "learning-opportunities/<id:pk>/archive/",
        views.OpportunityArchiveView.as_view(),
        name="opportunity-archive",
    ),
    path("search-suggestions/", views.SearchSuggestionsView.as_view(), name="search-suggestions"),
    path("providers/", views.ProviderList.as_view(), name="provider-list"),
    path("providers/<id:pk>/", views.ProviderDetail.as_view(), name="provider-detail"),
    path("eqf-levels/", views.EqfLevelList.as_view(), name="eqf-levels"),
    path("nqf-levels/", views.NqfLevelList.as_view(), name="nqf-levels"),
    path("isced-fields/", views.IscedFieldTree.as_view(), name="isced-fields"),
    path("esco-skills/", views.EscoSkillList.as_view(), name="esco-skills"),
    path(
        "esco-skills/suggest/", occupations.EscoSkillSuggest.as_view(), name="esco-skills-suggest"
    ),
    path("vocabularies/", views.VocabularyList.as_view(), name="vocabularies"),
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
    path("changes/", views.ChangeFeed.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
