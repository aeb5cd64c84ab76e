"""What the API's views share: caching of public reads and of rendered answers, paging (page
numbers for reference lists, cursors for harvesting), and the rules of writing an
opportunity (an organisation's token writes its own, a superuser's session any)."""

import base64
import binascii
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from catalogue.api.auth import (
    CanWriteOpportunities,
    OrganisationClient,
    OrganisationTokenAuthentication,
)
from catalogue.api.serializers import OpportunityDetailSerializer
from catalogue.api.writes import OpportunityWriteSerializer
from catalogue.models import MAX_ID
from descriptors.models import LearningOpportunity
from descriptors.services import opportunity_save

PUBLIC_MAX_AGE = 60
RENDERED_CACHE_SECONDS = 3600


def rendered(view, request, key: str, build: Callable[[], object]) -> HttpResponse:
    """The answer ``build`` gives, rendered in the negotiated format and kept by ``key`` (which
    must change with the data): serialising and rendering cost more than finding a page of
    results, and the bytes are cheaper to keep and fetch than the data they come from."""
    renderer, media_type = request.accepted_renderer, request.accepted_media_type
    content = _kept(
        f"{key}:{renderer.format}:{get_language()}",
        lambda: renderer.render(build(), media_type, view.get_renderer_context()),
    )
    charset = f"; charset={renderer.charset}" if renderer.charset else ""
    return HttpResponse(content, content_type=f"{renderer.media_type}{charset}")


def _kept(key: str, render: Callable[[], bytes]) -> bytes:
    """What ``render`` gives, from the nearest cache that keeps it. An answer does not change
    under its key (it holds the data's version), so beside a shared cache each process keeps
    the most asked ones in its own memory too (the ``local`` cache): a repeat then costs no
    round trip."""
    layers = [caches[alias] for alias in ("local", "default") if alias in settings.CACHES]
    content, found_in = None, len(layers)
    for depth, layer in enumerate(layers):
        if (content := layer.get(key)) is not None:
            found_in = depth
            break
    if content is None:
        content = render()
    for layer in layers[:found_in]:
        layer.set(key, content, RENDERED_CACHE_SECONDS)
    return content


class PublicReadMixin:
    """Anonymous reads may be cached by browsers and proxies for a minute; a read made with a
    token or a session is the caller's own (``private``): a shared cache must neither keep it
    nor answer it from an anonymous copy (``Vary``)."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and type(renderer) is not JSONRenderer:
            # Errors are JSON in every format: the XML schema has no error document. Before
            # negotiation (an unknown format) DRF would fall back to the view's first renderer.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if _authenticated(request):
                patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


def _authenticated(request) -> bool:
    # ``request.user`` authenticates on first use: a view without authentication classes
    # has no user (``UNAUTHENTICATED_USER`` is None), whatever the request carries.
    user = request.user
    return bool(user and user.is_authenticated)


class ReferencePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = settings.OCLO_API_MAX_PAGE_SIZE


def cursor_decode(value: str) -> int:
    """The last id a page held, from the cursor of its ``next`` link (a serializer field's
    error when it is not one)."""
    try:
        last_id = int(base64.urlsafe_b64decode(value.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        last_id = -1
    if not 0 <= last_id <= MAX_ID:
        raise ValidationError("Not a cursor returned by this API.")
    return last_id


def cursor_encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


class PagingSerializer(serializers.Serializer):
    """How a search is paged, declared once: the views read it and the schema documents it."""

    page = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        default=1,
        help_text="Page number, from 1.",
        error_messages={"invalid": "Enter a whole number."},
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=settings.OCLO_API_MAX_PAGE_SIZE,
        default=settings.OCLO_API_PAGE_SIZE,
        help_text=f"Results per page, 1 to {settings.OCLO_API_MAX_PAGE_SIZE}.",
        error_messages={"invalid": "Enter a whole number."},
    )

    @classmethod
    def read(cls, request) -> dict:
        """The request's paging, or a 400 naming each refused parameter."""
        fields = cls._declared_fields
        if not any(name in request.query_params for name in fields):
            # Most requests name no paging: the defaults, without building a serializer
            # (0.24 ms of a cached list answer's 1.75 ms, measured in one process).
            return {
                name: field.default
                for name, field in fields.items()
                if field.default is not serializers.empty
            }
        paging = cls(data=request.query_params)
        paging.is_valid(raise_exception=True)
        return paging.validated_data


class HarvestPagingSerializer(PagingSerializer):
    """Paging by number for people, or by cursor for a harvester that reads everything."""

    cursor = serializers.CharField(
        required=False,
        help_text="Harvesting in id order: `start`, then the cursor of the `next` link.",
    )

    def validate_cursor(self, value: str) -> int:
        """The last id the previous page held (0 before the first)."""
        return 0 if value == "start" else cursor_decode(value)


class SearchFilterMixin:
    """A view whose query parameters are declared by its ``filterset_class`` (the FilterSet the
    HTML pages use too): the view parses them with it, and the schema documents them from it."""

    filter_backends = [DjangoFilterBackend]
    # The selector searches; the FilterSet only parses and validates. The backend (and the
    # schema) take the FilterSet's model from here.
    queryset = LearningOpportunity.objects.none()

    def search_filterset(self, request):
        """The FilterSet of the request's parameters, validated, or a 400 naming each."""
        filterset = self.filterset_class(request.query_params)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset


NOT_WRITABLE = {
    403: "The opportunity belongs to another organisation.",
    404: "No opportunity has that id, or it is a draft of another organisation.",
}


class OpportunityWriteMixin:
    """Writes by organisation tokens (their own organisation only) or superusers' sessions."""

    authentication_classes = [OrganisationTokenAuthentication, SessionAuthentication]
    permission_classes = [CanWriteOpportunities]

    def get_renderers(self):
        # A write answers with the record in JSON, whatever formats the reads offer.
        if self.request.method not in permissions.SAFE_METHODS:
            return [JSONRenderer()]
        return super().get_renderers()

    def writable(self, request, pk: int) -> LearningOpportunity:
        opportunity = LearningOpportunity.objects.filter(pk=pk).select_related("provider").first()
        if opportunity is None or (
            not opportunity.is_public and not self.may_write(request, opportunity)
        ):
            raise NotFound()
        if not self.may_write(request, opportunity):
            raise PermissionDenied("This opportunity belongs to another organisation.")
        return opportunity

    @staticmethod
    def may_write(request, opportunity: LearningOpportunity) -> bool:
        user = request.user
        if isinstance(user, OrganisationClient):
            return opportunity.provider_id == user.organisation.pk
        return bool(user and user.is_authenticated and user.is_superuser)

    @staticmethod
    def save(request, opportunity, *, partial: bool) -> Response:
        serializer = OpportunityWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values, relations, children = serializer.split()
        # A rule of the model that this breaks is a 400, from the API's exception handler.
        opportunity = opportunity_save(
            opportunity=opportunity, values=values, relations=relations, **children
        )
        opportunity = LearningOpportunity.objects.with_detail_data().get(pk=opportunity.pk)
        return Response(OpportunityDetailSerializer(opportunity, context={"request": request}).data)
