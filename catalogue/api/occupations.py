"""API of the ESCO occupations: the loaded ESCO version, the occupation type-ahead and each
occupation's skills."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.views import PublicReadMixin, ReferencePagination
from catalogue.occupations import occupation_by_key
from taxonomies.models import EscoOccupation, EscoOccupationSkill, EscoRelease


class EscoReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscoRelease
        fields = ["version", "loaded_at", "skills", "occupations"]


class EscoReleaseView(PublicReadMixin, APIView):
    """Which ESCO release the catalogue's skills and occupations come from."""

    @extend_schema(responses=EscoReleaseSerializer, operation_id="esco_release")
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
            "skill__labels"
        )
        ordered = sorted(relations, key=lambda rel: (rel.relation, rel.skill.preferred_label))
        return OccupationSkillSerializer(ordered, many=True).data


class EscoOccupationList(PublicReadMixin, generics.ListAPIView):
    """ESCO occupations. ``q`` searches preferred, alternative and hidden labels in every loaded
    language, accents ignored (type-ahead)."""

    serializer_class = EscoOccupationSerializer
    pagination_class = ReferencePagination

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Label search.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        text = self.request.query_params.get("q", "").strip()[:100]
        occupations = EscoOccupation.objects.occupations().prefetch_related("labels")
        return occupations.search(text) if text else occupations.order_by("preferred_label")


class EscoOccupationDetail(PublicReadMixin, APIView):
    """One occupation with its essential and optional skills."""

    @extend_schema(responses=EscoOccupationDetailSerializer, operation_id="esco_occupation")
    def get(self, request, key: str):
        return Response(EscoOccupationDetailSerializer(occupation_by_key(key)).data)
