"""The API's error contract: every error is JSON, in one of two shapes, and every operation
declares the statuses it raises itself.

- ``{"detail": "..."}`` (schema ``Error``): 401, 403, 404, 405, 406, 409, 415, 429, 500, and
  503 with ``Retry-After`` while the database cannot be reached.
- Field errors (schema ``FieldErrors``), always and only for 400: each rejected field or query
  parameter with its messages, ``non_field_errors`` for the rest (a rule about the whole
  record, a body that is not JSON).

``api_exception_handler`` gives every exception one of these shapes, so a view raises DRF's
exceptions (or the model's ``ValidationError``) and never builds an error body. ``api_errors``
is how a view says which of its own errors an operation can answer, next to the code that
raises them; ``catalogue.api.schema`` adds the ones that follow from a view's configuration
(authentication, throttling, pagination, formats, a request body).
"""

import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

API_PREFIX = "/api/"
NON_FIELD_ERRORS = "non_field_errors"
UNAVAILABLE = "The catalogue is briefly unavailable. Try again in a few seconds."
RETRY_AFTER_SECONDS = 5


def api_errors(errors: dict[int, str]) -> Callable:
    """Declare the errors an operation raises itself, ``{status: when}``: on a view method
    for that operation, or on a view class for all its operations. The schema lists them with
    their shape (``FieldErrors`` for 400, ``Error`` for the rest)."""

    def declare(target):
        target.api_errors = {**getattr(target, "api_errors", {}), **errors}
        return target

    return declare


def model_errors(error: ModelValidationError) -> dict:
    """A model ValidationError as the API's field -> messages shape."""
    if hasattr(error, "message_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): messages
            for name, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def api_exception_handler(exc, context):
    """DRF's handler, with every error body in one of the two documented shapes."""
    if isinstance(exc, ModelValidationError):
        # A rule of the model that the request broke: rejected input, never a server error.
        exc = exceptions.ValidationError(model_errors(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = _field_errors(response.data)
    elif not (isinstance(response.data, dict) and set(response.data) == {"detail"}):
        response.data = {"detail": _text(response.data)}
    return response


def _field_errors(data) -> dict:
    if isinstance(data, dict):
        if set(data) == {"detail"}:  # ParseError, a malformed body: not about one field
            return {NON_FIELD_ERRORS: [str(data["detail"])]}
        return data
    return {NON_FIELD_ERRORS: data if isinstance(data, list) else [str(data)]}


def _text(data) -> str:
    if isinstance(data, list):
        return " ".join(str(item) for item in data)
    return str(data)


def not_found(request, exception=None):
    """Django's 404 (``handler404``): JSON under the API."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Django's 500 (``handler500``): JSON under the API. A database that cannot be reached
    (down, restarting, over its connection limit) is a 503 that says to come back shortly:
    the next request connects again by itself."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        if request.path.startswith(API_PREFIX):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            # Rendered without the request's context: its processors could need the database.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error. It has been logged."}, status=500)
    return defaults.server_error(request)


@csrf_exempt  # it changes nothing, and a CSRF refusal would be an HTML page
def api_path_unknown(request):
    """The last route under ``/api/``: a path no API view serves answers a JSON 404 with
    DEBUG on too (Django's own 404 page is then an HTML debug page). As Django's
    ``APPEND_SLASH`` would, a read of a known path without its final slash is redirected."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_path_unknown:
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            return JsonResponse(
                {"detail": f"Not found. Did you mean {request.path}/ ?"}, status=404
            )
    return JsonResponse({"detail": "Not found."}, status=404)
