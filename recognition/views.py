"""Public recognition pages: institutions, agreements (and their printable document),
precedents, pathways."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from descriptors.models import Organisation
from recognition.filters import DecisionFilterSet
from recognition.models import Agreement, Pathway
from recognition.selectors import (
    agreement_public,
    agreement_versions,
    decisions_public,
    institution_agreements_in_force,
    pathway_detail,
    pathway_list,
    recognising_institutions,
)

DOCUMENT_LANGUAGES = ("en", "it")
DECISIONS_PER_PAGE = 25


def institutions_view(request):
    return render(
        request, "recognition/institutions.html", {"institutions": recognising_institutions()}
    )


def institution_view(request, pk: int):
    institution = get_object_or_404(Organisation, pk=pk)
    agreements = institution_agreements_in_force(institution=institution)
    if not agreements:
        raise Http404("This institution has no agreement in force.")
    return render(
        request,
        "recognition/institution.html",
        {"institution": institution, "agreements": agreements},
    )


def _agreement(pk: int) -> Agreement:
    try:
        return agreement_public(pk=pk)
    except Agreement.DoesNotExist as missing:
        raise Http404("No such public agreement.") from missing


def agreement_view(request, pk: int):
    agreement = _agreement(pk)
    return render(
        request,
        "recognition/agreement.html",
        {"agreement": agreement, "versions": agreement_versions(agreement)},
    )


def agreement_document_view(request, pk: int):
    """The agreement as a printable document, in English or Italian (``?lang=``)."""
    agreement = _agreement(pk)
    language = request.GET.get("lang", translation.get_language() or "en")[:2]
    if language not in DOCUMENT_LANGUAGES:
        language = "en"
    with translation.override(language):
        response = render(
            request,
            "recognition/agreement_document.html",
            {"agreement": agreement, "document_language": language},
        )
    response["Content-Language"] = language
    return response


def decisions_view(request):
    filterset = DecisionFilterSet(request.GET, queryset=decisions_public())
    page = Paginator(filterset.qs, DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/decisions.html",
        {"filterset": filterset, "page": page},
        status=200 if filterset.is_valid() else 400,
    )


def pathways_view(request):
    return render(request, "recognition/pathways.html", {"pathways": pathway_list()})


def pathway_view(request, pk: int):
    try:
        view = pathway_detail(pk=pk)
    except Pathway.DoesNotExist as missing:
        raise Http404("No such published pathway.") from missing
    return render(request, "recognition/pathway.html", {"view": view})
