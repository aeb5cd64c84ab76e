"""Search as you type: what the letters typed into the search box may stand for."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.base import PublicReadMixin
from catalogue.api.errors import api_errors
from catalogue.api.serializers import SearchSuggestionSerializer, SearchSuggestionsSchema
from catalogue.search.suggestions import search_suggestions

SUGGESTION_TERM_MAX = 200


class SearchSuggestionsView(PublicReadMixin, APIView):
    """Search as you type: titles, ESCO skills, providers and fields of education that the
    letters typed so far may stand for (from two letters on), as the search box offers them."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="What has been typed so far.")],
        responses=SearchSuggestionsSchema,
        operation_id="search_suggestions",
        summary="Suggest searches as you type",
    )
    @api_errors({400: "q is longer than 200 characters."})
    def get(self, request):
        term = request.query_params.get("q", "")
        if len(term) > SUGGESTION_TERM_MAX:
            raise ValidationError({"q": [f"At most {SUGGESTION_TERM_MAX} characters."]})
        suggestions = search_suggestions(term)
        return Response({"results": SearchSuggestionSerializer(suggestions, many=True).data})
