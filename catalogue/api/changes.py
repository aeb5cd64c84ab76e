"""The change feed: every change to the catalogue in order, for those who keep a copy."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from catalogue.api.errors import api_errors
from catalogue.api.serializers import ChangePageSchema, ChangeSerializer
from catalogue.models import MAX_ID
from catalogue.selectors import catalogue_changes


class ChangeFeed(APIView):
    """Every change to the catalogue in order: ``created``, ``updated``, ``unpublished``,
    ``deleted``. Resume with ``since`` = the last ``sequence`` you processed. A change to an
    opportunity that is not published now is reported as ``unpublished`` (or ``deleted``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", int, description="Last sequence already processed."),
            OpenApiParameter("limit", int, description="At most this many changes (1-1000)."),
        ],
        responses=ChangePageSchema,
        operation_id="changes_list",
        summary="Follow every change to the catalogue",
    )
    @api_errors({400: "since or limit is not a whole number in range."})
    def get(self, request):
        try:
            since = int(request.query_params.get("since", 0))
            limit = int(request.query_params.get("limit", 500))
        except ValueError as error:
            raise ValidationError(
                {"since": ["Enter whole numbers for since and limit."]}
            ) from error
        if not 1 <= limit <= 1000:
            raise ValidationError({"limit": ["Choose between 1 and 1000."]})
        if not 0 <= since <= MAX_ID:
            raise ValidationError({"since": ["Give a sequence number from a previous answer."]})
        changes, latest = catalogue_changes(since=since, limit=limit)
        last = changes[-1].sequence if changes else since
        next_url = None
        if last < latest:
            next_url = replace_query_param(request.build_absolute_uri(), "since", last)
        return Response(
            {
                "latest": latest,
                "next": next_url,
                "results": ChangeSerializer(changes, many=True).data,
            }
        )
