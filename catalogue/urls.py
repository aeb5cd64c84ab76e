from django.urls import path

from catalogue import occupation_views, views

app_name = "catalogue"

urlpatterns = [
    path("", views.opportunity_search_view, name="search"),
    path("skills/suggestions/", views.skill_suggestions_view, name="skill-suggestions"),
    path("browse/fields/", views.browse_fields_view, name="browse-fields"),
    path("browse/levels/", views.browse_levels_view, name="browse-levels"),
    path("browse/providers/", views.browse_providers_view, name="browse-providers"),
    path("browse/skills/", views.browse_skills_view, name="browse-skills"),
    path("browse/skills/<str:key>/", views.browse_skill_view, name="browse-skill"),
    path("opportunities/<int:pk>/", views.opportunity_detail_view, name="opportunity-detail"),
    path("jobs/", occupation_views.occupation_pick_view, name="occupations"),
    path(
        "jobs/suggestions/",
        occupation_views.occupation_suggestions_view,
        name="occupation-suggestions",
    ),
    path("jobs/<str:key>/", occupation_views.occupation_courses_view, name="occupation"),
]
