"""The vocabularies the descriptors take their values from: EQF and national framework
levels, ISCED-F fields, ESCO skills and the ELM controlled vocabularies."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.base import PublicReadMixin, ReferencePagination
from catalogue.api.errors import api_errors
from catalogue.api.serializers import (
    ConceptSerializer,
    EqfLevelSerializer,
    EscoSkillSerializer,
    IscedFieldSerializer,
    NqfLevelSerializer,
)
from catalogue.filters import ConceptFilterSet, LabelSearchFilterSet
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, NqfLevel


@extend_schema(summary="List the EQF levels")
class EqfLevelList(PublicReadMixin, generics.ListAPIView):
    """The eight EQF levels with their descriptors and QF-EHEA cycles."""

    serializer_class = EqfLevelSerializer
    queryset = EqfLevel.objects.all()
    pagination_class = None


@extend_schema(summary="List national qualifications framework levels")
class NqfLevelList(PublicReadMixin, generics.ListAPIView):
    """National qualifications framework levels and the EQF level each is referenced to."""

    serializer_class = NqfLevelSerializer
    queryset = NqfLevel.objects.select_related("framework__country")
    pagination_class = None


class IscedFieldTree(PublicReadMixin, APIView):
    """ISCED-F 2013 as a tree: broad fields with their narrow and detailed fields."""

    @extend_schema(
        responses=IscedFieldSerializer(many=True), summary="List the ISCED-F fields as a tree"
    )
    def get(self, request):
        fields = list(IscedField.objects.all())
        children: dict[str, list] = {}
        for field in fields:
            children.setdefault(field.parent_id, []).append(field)
        roots = children.get(None, [])
        return Response(IscedFieldSerializer(roots, many=True, context={"children": children}).data)


@extend_schema(summary="Search ESCO skills")
class EscoSkillList(PublicReadMixin, generics.ListAPIView):
    """ESCO skills, knowledge and competences (the full loaded set). ``q`` searches preferred
    and alternative labels, best matches first (type-ahead)."""

    serializer_class = EscoSkillSerializer
    pagination_class = ReferencePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = LabelSearchFilterSet

    def get_queryset(self):
        skills = EscoSkill.objects.skills().prefetch_related("labels")
        return skills.order_by("preferred_label")


@extend_schema(summary="List the concepts of the controlled vocabularies")
@api_errors({400: "Unknown vocabulary."})
class VocabularyList(PublicReadMixin, generics.ListAPIView):
    """Concepts of the controlled vocabularies; ``scheme`` picks one (e.g. learning-assessment)."""

    serializer_class = ConceptSerializer
    pagination_class = ReferencePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ConceptFilterSet
    queryset = Concept.objects.all()
