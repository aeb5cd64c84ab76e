"""The addresses ELM linked data names: our JSON-LD context, and the IRIs our ELM documents
give micro-credentials, editions and organisations, which lead to their documents (303 See
Other: an IRI names the course, not a page about it), in the format the client asks for."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from catalogue.api.formats import iri_documents
from descriptors.formats.elm_jsonld import CONTEXT
from descriptors.models import Edition

# What a client may ask for (the first when it says it takes anything) -> the format suffix of
# the API document; None is the HTML page.
DOCUMENT_FORMATS = {"text/html": None, **iri_documents()}


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def elm_context_view(request):
    response = JsonResponse(CONTEXT, content_type="application/ld+json")
    # JSON-LD processors in browsers fetch it from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _see_other(url: str):
    response = redirect(url)
    response.status_code = 303
    response["Vary"] = "Accept"
    response["Access-Control-Allow-Origin"] = "*"  # scripts of any origin follow it
    return response


@require_safe
def elm_opportunity_view(request, pk: int):
    """A micro-credential's IRIs: its achievement specification's, and its own when it is
    offered without an edition."""
    # A browser also takes XML, at a lower quality than HTML: the preference decides.
    suffix = DOCUMENT_FORMATS.get(request.get_preferred_type(list(DOCUMENT_FORMATS)))
    if suffix is None:
        return _see_other(reverse("catalogue:opportunity-detail", args=[pk]))
    document = reverse("api:opportunity-detail", args=[pk]).rstrip("/")
    return _see_other(f"{document}.{suffix}")


@require_safe
def elm_edition_view(request, pk: int):
    """An edition's IRI: it is described in its micro-credential's document."""
    edition = get_object_or_404(Edition, pk=pk)
    return elm_opportunity_view(request, edition.opportunity_id)


@require_safe
def elm_organisation_view(request, pk: int):
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return _see_other(reverse("api:provider-detail", args=[pk]))
    return _see_other(reverse("catalogue:provider", args=[pk]))
