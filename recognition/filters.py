"""Precedent search: one FilterSet for the precedents page and the decisions API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity, Organisation
from recognition.models import RecognitionDecision
from taxonomies.models import EqfLevel


class DecisionFilterSet(django_filters.FilterSet):
    """Past decisions by opportunity, institution, EQF level, ECTS and outcome wording."""

    opportunity = django_filters.NumberFilter(
        field_name="opportunity_id", label=_("Learning opportunity (id)")
    )
    institution = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(recognition_decisions__isnull=False).distinct(),
        label=_("Recognising institution"),
    )
    eqf = django_filters.ModelChoiceFilter(
        field_name="opportunity__eqf_level",
        queryset=EqfLevel.objects.all(),
        label=_("EQF level of the opportunity"),
    )
    ects_min = django_filters.NumberFilter(
        field_name="opportunity__ects_credits", lookup_expr="gte", label=_("ECTS at least")
    )
    ects_max = django_filters.NumberFilter(
        field_name="opportunity__ects_credits", lookup_expr="lte", label=_("ECTS at most")
    )
    outcome_text = django_filters.CharFilter(
        method="filter_outcome_text",
        max_length=200,
        label=_("Learning outcome or title contains"),
    )
    decision = django_filters.ChoiceFilter(
        field_name="outcome", choices=RecognitionDecision.Outcome.choices, label=_("Decision")
    )

    class Meta:
        model = RecognitionDecision
        fields: list[str] = []

    def filter_outcome_text(self, queryset, name, value):
        words = value.split()
        if words:
            # Only the texts of published opportunities: an archived one's title is not public.
            queryset = queryset.filter(opportunity__status=LearningOpportunity.Status.PUBLISHED)
        for word in words:
            queryset = queryset.filter(
                Q(opportunity__title__icontains=word)
                | Q(opportunity__outcomes__title__icontains=word)
            )
        return queryset.distinct() if words else queryset
