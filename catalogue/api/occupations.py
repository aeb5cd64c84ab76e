"""API of the ESCO occupations: the loaded ESCO version, the occupation type-ahead and each
occupation's skills."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.base import (
    PagingSerializer,
    PublicReadMixin,
    ReferencePagination,
    SearchFilterMixin,
)
from catalogue.api.errors import api_errors
from catalogue.api.serializers import OpportunitySummarySerializer, facet_json
from catalogue.filters import LabelSearchFilterSet
from catalogue.occupations import CoursesForJobFilterSet, courses_for_job, occupation_by_key
from taxonomies.models import (
    EscoOccupation,
    EscoOccupationLabel,
    EscoOccupationSkill,
    EscoRelease,
    EscoSkillLabel,
    labels_in_visitor_language,
)
from taxonomies.suggestions import Method, skills_suggest, suggestion_method

NO_OCCUPATION = "No ESCO occupation has that key."


class EscoReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscoRelease
        fields = ["version", "loaded_at", "skills", "occupations"]


class EscoReleaseView(PublicReadMixin, APIView):
    """Which ESCO release the catalogue's skills and occupations come from."""

    @extend_schema(
        responses=EscoReleaseSerializer,
        operation_id="esco_release",
        summary="Read which ESCO release is loaded",
    )
    def get(self, request):
        release = EscoRelease.current() or EscoRelease(version="unknown")
        return Response(EscoReleaseSerializer(release).data)


class EscoOccupationSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(source="localized_label")
    alt_labels = serializers.ListField(source="alt_label_list", child=serializers.CharField())

    class Meta:
        model = EscoOccupation
        fields = ["key", "uri", "label", "alt_labels", "code", "isco_code", "description"]


class OccupationSkillSerializer(serializers.Serializer):
    uri = serializers.URLField(source="skill.uri")
    key = serializers.CharField(source="skill.key")
    label = serializers.CharField(source="skill.localized_label")
    relation = serializers.ChoiceField(choices=EscoOccupationSkill.Relation.choices)


class EscoOccupationDetailSerializer(EscoOccupationSerializer):
    skills = serializers.SerializerMethodField()

    class Meta(EscoOccupationSerializer.Meta):
        fields = [*EscoOccupationSerializer.Meta.fields, "skills"]

    def get_skills(self, occupation) -> list[dict]:
        relations = occupation.skill_relations.select_related("skill").prefetch_related(
            labels_in_visitor_language(EscoSkillLabel, "skill__labels")
        )
        ordered = sorted(relations, key=lambda rel: (rel.relation, rel.skill.preferred_label))
        return OccupationSkillSerializer(ordered, many=True).data


@extend_schema(summary="Search ESCO occupations")
class EscoOccupationList(PublicReadMixin, generics.ListAPIView):
    """ESCO occupations. ``q`` searches preferred, alternative and hidden labels in every loaded
    language, accents ignored (type-ahead)."""

    serializer_class = EscoOccupationSerializer
    pagination_class = ReferencePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = LabelSearchFilterSet

    def get_queryset(self):
        occupations = EscoOccupation.objects.occupations().prefetch_related(
            labels_in_visitor_language(EscoOccupationLabel)
        )
        return occupations.order_by("preferred_label")


class EscoOccupationDetail(PublicReadMixin, APIView):
    """One occupation with its essential and optional skills."""

    @extend_schema(
        responses=EscoOccupationDetailSerializer,
        operation_id="esco_occupation",
        summary="Read one ESCO occupation with its skills",
    )
    @api_errors({404: NO_OCCUPATION})
    def get(self, request, key: str):
        return Response(EscoOccupationDetailSerializer(occupation_by_key(key)).data)


class SkillRefSerializer(serializers.Serializer):
    uri = serializers.URLField()
    key = serializers.CharField()
    label = serializers.CharField(source="localized_label")


class NeedSerializer(serializers.Serializer):
    skill = SkillRefSerializer()
    essential = serializers.BooleanField()
    held = serializers.BooleanField()


class CourseMatchSerializer(serializers.Serializer):
    opportunity = OpportunitySummarySerializer()
    essential = SkillRefSerializer(many=True, help_text="Missing essential skills it teaches.")
    optional = SkillRefSerializer(many=True, help_text="Missing optional skills it teaches.")


class LearningPathSerializer(serializers.Serializer):
    steps = CourseMatchSerializer(many=True)
    uncovered = SkillRefSerializer(
        many=True, help_text="Missing essential skills no opportunity with these filters teaches."
    )
    ects = serializers.DecimalField(max_digits=8, decimal_places=1)
    hours = serializers.IntegerField()
    prices = serializers.DictField(
        child=serializers.DecimalField(max_digits=10, decimal_places=2),
        help_text="Total fees by currency.",
    )
    unknown_ects = serializers.IntegerField(help_text="Steps without ECTS credits.")
    unknown_hours = serializers.IntegerField(help_text="Steps without a stated workload.")
    unknown_price = serializers.IntegerField(help_text="Paid steps without a stated fee.")


class CoursesForJobSerializer(serializers.Serializer):
    occupation = EscoOccupationSerializer()
    count = serializers.IntegerField(source="total")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    needs = NeedSerializer(many=True)
    results = CourseMatchSerializer(many=True, source="matches")
    path = LearningPathSerializer(required=False, allow_null=True)
    facets = serializers.SerializerMethodField()

    def get_facets(self, result) -> list[dict]:
        return [facet_json(facet) for facet in result.facets]


class CoursesForJobView(SearchFilterMixin, PublicReadMixin, APIView):
    """Published opportunities teaching the skills an occupation needs that the learner lacks
    (``have``: the skills they already have), ranked by missing essential skills taught, then
    optional ones; the search's text and every search filter apply. ``path=true`` adds the
    fewest opportunities that together teach every missing essential skill, with their total
    ECTS, hours and fees."""

    filterset_class = CoursesForJobFilterSet

    @extend_schema(
        parameters=[PagingSerializer],
        responses=CoursesForJobSerializer,
        operation_id="esco_occupation_opportunities",
        summary="Find courses for a job",
    )
    @api_errors({400: "A filter, have or page is not valid.", 404: NO_OCCUPATION})
    def get(self, request, key: str):
        occupation = occupation_by_key(key)
        filterset = self.search_filterset(request)
        paging = PagingSerializer.read(request)
        result = courses_for_job(
            occupation,
            filterset.params(),
            held=filterset.held(),
            page=paging["page"],
            page_size=paging["page_size"],
            with_path=filterset.wants_path(),
        )
        return Response(CoursesForJobSerializer(result, context={"request": request}).data)


class SkillSuggestRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, help_text="The learning outcome, as written.")
    language = serializers.RegexField(
        r"^[a-zA-Z]{2}$",
        default="en",
        help_text="ISO 639-1 code of the outcome's language, e.g. it.",
        error_messages={"invalid": "Give a two-letter ISO 639-1 language code, e.g. it."},
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class SkillSuggestionSerializer(serializers.Serializer):
    uri = serializers.URLField(source="skill.uri")
    key = serializers.CharField(source="skill.key")
    label = serializers.CharField(source="skill.localized_label")
    score = serializers.FloatField(help_text="Higher is better; comparable within one answer.")
    words = serializers.ListField(
        child=serializers.CharField(),
        help_text="The words of the outcome that led to it: shared with the skill's labels, "
        "or closest to it in meaning.",
    )


class SkillSuggestAnswerSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=[Method.LEXICAL, Method.COMBINED],
        help_text="How the skills were found: combined (the multilingual model's ranking fused "
        "with the lexical one) or lexical (where the model is not installed or the skills are "
        "not embedded yet).",
    )
    results = SkillSuggestionSerializer(many=True)


class EscoSkillSuggest(PublicReadMixin, APIView):
    """ESCO skills for a learning outcome written in free text, best first, each with the words
    of the outcome that led to it. Nothing is linked: the caller chooses."""

    @extend_schema(
        request=SkillSuggestRequestSerializer,
        responses=SkillSuggestAnswerSerializer,
        operation_id="esco_skills_suggest",
        summary="Suggest ESCO skills for a learning outcome",
    )
    def post(self, request):
        try:
            body = request.data
        except ParseError as error:
            # Rejected input has one shape (FieldErrors): a body that is not JSON is no field.
            raise ValidationError({"non_field_errors": [str(error.detail)]}) from error
        asked = SkillSuggestRequestSerializer(data=body)
        asked.is_valid(raise_exception=True)
        method = suggestion_method()
        suggestions = skills_suggest(
            asked.validated_data["text"],
            asked.validated_data["language"],
            limit=asked.validated_data["limit"],
            method=method,
        )
        return Response(
            {
                "method": method,
                "results": SkillSuggestionSerializer(suggestions, many=True).data,
            }
        )
