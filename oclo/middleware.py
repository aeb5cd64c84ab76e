"""Request checks that hold for every page and API call, before any view runs."""

import threading
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from catalogue.api.errors import API_PREFIX
from oclo.workers import request_queued_seconds

BUSY_MESSAGE = "The catalogue is busy. Try again in a second."
NUL_MESSAGE = "The address contains a NUL character (%00), which no page or parameter accepts."


class RejectNulMiddleware:
    """400 for a path or query string with a NUL character.

    PostgreSQL text cannot hold NUL: any parameter that reaches a query with one (a facet value,
    a skill key, an admin list filter) would end as a 500. Refusing it here is one check instead
    of one in every view. (Form fields refuse NUL themselves; API bodies are checked by
    ``catalogue.api.parsers``.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse(_api_errors(query), status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class LoadSheddingMiddleware:
    """503 for a request that waited more than ``OCLO_MAX_QUEUE_SECONDS`` for a thread, or
    beyond ``OCLO_MAX_CONCURRENT_REQUESTS`` in this process once it has waited
    ``OCLO_BUSY_WAIT_SECONDS`` for a slot in vain.

    Past its capacity a server that queues every request answers all of them late, until
    clients and proxies time out; one that refuses the excess quickly keeps answering the rest
    at normal speed, and is back to normal as soon as the load drops. The short wait absorbs
    bursts: gunicorn hands a worker more keep-alive connections than its share, and without it
    a client was refused while a slot freed a few milliseconds later (measured: 4,100 of 11,000
    list requests refused at 12 connections on 3 workers; none with 0.1 s). The slots do not
    see the queue before the app, in gunicorn's thread pool: at 4x the rated load requests
    waited there 0.6 s and were all served late, hence the limit on that wait too.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(settings.OCLO_MAX_CONCURRENT_REQUESTS)
        self.static_prefix = f"/{settings.STATIC_URL.lstrip('/')}"

    def __call__(self, request):
        if request.path_info.startswith(self.static_prefix):
            return self.get_response(request)  # a file from memory: no work to protect
        queued = request_queued_seconds()
        if queued is not None and queued > settings.OCLO_MAX_QUEUE_SECONDS:
            return _busy(request)
        if not self.slots.acquire(timeout=settings.OCLO_BUSY_WAIT_SECONDS):
            return _busy(request)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()


def _busy(request):
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": BUSY_MESSAGE}, status=503)
    else:
        response = HttpResponse(BUSY_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "1"
    return response


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` (``OCLO_CONTENT_SECURITY_POLICY``) on every answer that does
    not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", settings.OCLO_CONTENT_SECURITY_POLICY
        )
        return response


def _api_errors(query: str) -> dict[str, list[str]]:
    """The API's shape for rejected input (``FieldErrors``): each parameter with the problem."""
    names = {
        name.replace("\x00", "") or "non_field_errors"
        for name, value in parse_qsl(query, keep_blank_values=True)
        if "\x00" in name or "\x00" in value
    }
    return {name: [NUL_MESSAGE] for name in sorted(names or {"non_field_errors"})}


class LanguageMiddleware(LocaleMiddleware):
    """The language of a request: the URL prefix (/it/, /fr/...), else the language cookie the
    switcher sets, else Accept-Language.

    Django's own middleware serves every unprefixed public page in English once i18n_patterns
    leave English unprefixed; here an unprefixed address (a bookmark, the API, the admin) is
    negotiated instead, as it was before pages had a prefix, and its links carry the prefix.
    """

    def process_request(self, request):
        translation.activate(translation.get_language_from_request(request, check_path=True))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Cookie",))
        return super().process_response(request, response)
