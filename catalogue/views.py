from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from catalogue.selectors import opportunity_detail, opportunity_list
from descriptors.completeness import opportunity_completeness


def opportunity_list_view(request):
    page = Paginator(opportunity_list(), settings.OCLO_LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "catalogue/opportunity_list.html", {"page": page})


def opportunity_detail_view(request, pk: int):
    opportunity = opportunity_detail(pk=pk)
    return render(
        request,
        "catalogue/opportunity_detail.html",
        {"opportunity": opportunity, "completeness": opportunity_completeness(opportunity)},
    )
