from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.opportunity_list_view, name="opportunity-list"),
    path("opportunities/<int:pk>/", views.opportunity_detail_view, name="opportunity-detail"),
]
