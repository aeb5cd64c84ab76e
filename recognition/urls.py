from django.urls import path
from django.views.generic import RedirectView

from recognition import views

app_name = "recognition"

urlpatterns = [
    # The section's own address, as people shorten it: its first page.
    path("", RedirectView.as_view(pattern_name="recognition:institutions"), name="index"),
    path("institutions/", views.institutions_view, name="institutions"),
    path("institutions/<int:pk>/", views.institution_view, name="institution"),
    path("agreements/<int:pk>/", views.agreement_view, name="agreement"),
    path(
        "agreements/<int:pk>/document/",
        views.agreement_document_view,
        name="agreement-document",
    ),
    path("decisions/", views.decisions_view, name="decisions"),
    path("pathways/", views.pathways_view, name="pathways"),
    path("pathways/<int:pk>/", views.pathway_view, name="pathway"),
]
