from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.opportunity_search_view, name="search"),
    path("skills/suggestions/", views.skill_suggestions_view, name="skill-suggestions"),
    path("opportunities/<int:pk>/", views.opportunity_detail_view, name="opportunity-detail"),
]
