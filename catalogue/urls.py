from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from catalogue import elm_views, feeds, occupation_views, views
from catalogue.sitemaps import SITEMAPS

app_name = "catalogue"

urlpatterns = [
    path("", views.opportunity_search_view, name="search"),
    path("skills/suggestions/", views.skill_suggestions_view, name="skill-suggestions"),
    path("providers/suggestions/", views.provider_suggestions_view, name="provider-suggestions"),
    path("browse/fields/", views.browse_fields_view, name="browse-fields"),
    path("browse/levels/", views.browse_levels_view, name="browse-levels"),
    path("browse/providers/", views.browse_providers_view, name="browse-providers"),
    path("browse/skills/", views.browse_skills_view, name="browse-skills"),
    path("browse/skills/<str:key>/", views.browse_skill_view, name="browse-skill"),
    path("opportunities/<int:pk>/", views.opportunity_detail_view, name="opportunity-detail"),
    path("providers/<int:pk>/", views.provider_view, name="provider"),
    path("compare/", views.compare_view, name="compare"),
    path("feeds/search.atom", feeds.search_atom_view, name="search-atom"),
    path("feeds/search.ics", feeds.search_calendar_view, name="search-calendar"),
    path("about/", views.about_view, name="about"),
    path("elm/context/v1.jsonld", elm_views.elm_context_view, name="elm-context"),
    path("elm/opportunity/<int:pk>", elm_views.elm_opportunity_view, name="elm-opportunity"),
    path("elm/specification/<int:pk>", elm_views.elm_opportunity_view, name="elm-specification"),
    path("elm/edition/<int:pk>", elm_views.elm_edition_view, name="elm-edition"),
    path("elm/organisation/<int:pk>", elm_views.elm_organisation_view, name="elm-organisation"),
    path("robots.txt", views.robots_txt_view, name="robots"),
    path("favicon.ico", views.favicon_view, name="favicon"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "catalogue:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("jobs/", occupation_views.occupation_pick_view, name="occupations"),
    path(
        "jobs/suggestions/",
        occupation_views.occupation_suggestions_view,
        name="occupation-suggestions",
    ),
    path("jobs/<str:key>/", occupation_views.occupation_courses_view, name="occupation"),
]
