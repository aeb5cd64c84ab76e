"""Recognition in the API: agreements with their versions, decisions, pathways."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.api.writes import ConceptField
from descriptors.models import LearningOpportunity, Organisation
from recognition.models import Agreement, AgreementItem, Pathway, RecognitionDecision
from recognition.selectors import agreement_versions
from taxonomies.models import Scheme


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class OpportunityRefSerializer(serializers.ModelSerializer):
    """The opportunity a recognition record names. One that is no longer published keeps its
    id, with ``offered`` false and no title or URL (see ``OpportunityReference``)."""

    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    offered = serializers.SerializerMethodField()

    class Meta:
        model = LearningOpportunity
        fields = ["id", "title", "url", "offered"]

    @staticmethod
    def _offered(opportunity) -> bool:
        return opportunity.status == LearningOpportunity.Status.PUBLISHED

    def get_title(self, opportunity) -> str | None:
        return opportunity.title if self._offered(opportunity) else None

    def get_url(self, opportunity) -> str | None:
        if not self._offered(opportunity):
            return None
        request = self.context.get("request")
        path = reverse("api:opportunity-detail", args=[opportunity.pk])
        return request.build_absolute_uri(path) if request else path

    def get_offered(self, opportunity) -> bool:
        return self._offered(opportunity)


class AgreementItemSerializer(serializers.ModelSerializer):
    opportunity = OpportunityRefSerializer(read_only=True)
    conditions_text = serializers.SerializerMethodField()

    class Meta:
        model = AgreementItem
        fields = [
            "opportunity",
            "target_kind",
            "target_title",
            "target_code",
            "ects",
            "recognition_mode",
            "requires_passed_assessment",
            "requires_identity_verification",
            "minimum_grade",
            "max_credential_age_months",
            "grade_policy",
            "note",
            "conditions_text",
        ]

    def get_conditions_text(self, item) -> list[str]:
        return [str(condition) for condition in item.conditions()]


class AgreementItemWriteSerializer(serializers.ModelSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=LearningOpportunity.objects.published(),
        error_messages={"does_not_exist": "No published learning opportunity has id {pk_value}."},
    )

    class Meta:
        model = AgreementItem
        fields = [f for f in AgreementItemSerializer.Meta.fields if f != "conditions_text"]


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "version", "status", "approved_by_name", "approved_at", "retired_at"]


AGREEMENT_TERMS = [
    "title",
    "agreement_type",
    "objective",
    "scope",
    "language",
    "grade_conversion",
    "max_ects_per_learner",
    "process",
    "appeal",
    "quality_assurance",
    "valid_from",
    "valid_until",
    "renewal_and_termination",
    "contact",
    "signatories",
]


class AgreementSerializer(serializers.ModelSerializer):
    institution = OrganisationRefSerializer(read_only=True)
    providers = OrganisationRefSerializer(many=True, read_only=True)
    language = ConceptField(Scheme.LANGUAGE, read_only=True)
    validity = serializers.SerializerMethodField()
    items = AgreementItemSerializer(many=True, read_only=True)
    versions = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "series",
            "version",
            "status",
            "validity",
            "institution",
            "providers",
            *AGREEMENT_TERMS,
            "approved_by_name",
            "approved_at",
            "retired_at",
            "items",
            "versions",
            "document",
        ]

    @extend_schema_field(
        {"type": "string", "enum": ["draft", "retired", "not-yet-valid", "in-force", "expired"]}
    )
    def get_validity(self, agreement) -> str:
        return agreement.validity()

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, agreement):
        listed = self.context.get("versions")  # a list view reads them all at once
        if listed is not None:
            versions = listed.get(agreement.series, [])
        else:
            drafts = self.context.get("include_drafts", False)
            versions = agreement_versions(agreement, include_drafts=drafts)
        return VersionSerializer(versions, many=True).data

    def get_document(self, agreement) -> dict[str, str] | None:
        if agreement.is_draft:
            return None
        path = reverse("recognition:agreement-document", args=[agreement.pk])
        request = self.context.get("request")
        base = request.build_absolute_uri(path) if request else path
        return {"en": f"{base}?lang=en", "it": f"{base}?lang=it"}


class AgreementWriteSerializer(serializers.ModelSerializer):
    """A draft agreement; ``items`` (when given) replace the draft's items."""

    language = ConceptField(Scheme.LANGUAGE)
    providers = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, allow_empty=False
    )
    items = AgreementItemWriteSerializer(many=True, required=False)

    class Meta:
        model = Agreement
        fields = [*AGREEMENT_TERMS, "providers", "items"]


class DecisionSerializer(serializers.ModelSerializer):
    institution = OrganisationRefSerializer(read_only=True)
    opportunity = OpportunityRefSerializer(read_only=True)
    substantial_differences = serializers.ListField(
        child=serializers.ChoiceField(choices=RecognitionDecision.Difference.choices),
        read_only=True,
    )

    class Meta:
        model = RecognitionDecision
        exclude = ["created"]


class DecisionWriteSerializer(serializers.ModelSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=LearningOpportunity.objects.published()
    )
    substantial_differences = serializers.ListField(
        child=serializers.ChoiceField(choices=RecognitionDecision.Difference.choices),
        required=False,
    )

    class Meta:
        model = RecognitionDecision
        exclude = ["institution", "created", "modified"]


class PathwayStepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    is_required = serializers.BooleanField()
    opportunity = OpportunityRefSerializer()
    ects = serializers.DecimalField(
        source="opportunity.ects_credits", max_digits=5, decimal_places=2, allow_null=True
    )
    workload_hours = serializers.IntegerField(source="opportunity.workload_hours", allow_null=True)


class PathwaySerializer(serializers.Serializer):
    """A published pathway, its rules, and totals computed from its steps."""

    id = serializers.IntegerField(source="pathway.pk")
    title = serializers.CharField(source="pathway.title")
    description = serializers.CharField(source="pathway.description")
    target_credential = serializers.CharField(source="pathway.target_credential")
    owner = OrganisationRefSerializer(source="pathway.owner")
    awarding_body = OrganisationRefSerializer(source="pathway.awarding_body", allow_null=True)
    rule = serializers.ChoiceField(source="pathway.rule", choices=Pathway.Rule.choices)
    required_count = serializers.IntegerField(source="pathway.required_count", allow_null=True)
    minimum_ects = serializers.DecimalField(
        source="pathway.minimum_ects", max_digits=5, decimal_places=2, allow_null=True
    )
    is_ordered = serializers.BooleanField(source="pathway.is_ordered")
    total_ects = serializers.DecimalField(source="totals.ects", max_digits=7, decimal_places=2)
    total_workload_hours = serializers.IntegerField(source="totals.workload_hours")
    steps_to_complete = serializers.IntegerField(source="totals.steps_to_complete")
    completion_ects_low = serializers.DecimalField(
        source="totals.completion_ects_low", max_digits=7, decimal_places=2
    )
    completion_ects_high = serializers.DecimalField(
        source="totals.completion_ects_high", max_digits=7, decimal_places=2
    )
    steps = PathwayStepSerializer(many=True)


class AgreementRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "title", "version", "valid_from", "valid_until"]


class EditionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)


class RecognitionSerializer(AgreementItemSerializer):
    """An agreement item seen from the opportunity: where, toward what, until when, and which
    of the opportunity's current editions start outside the agreement's validity."""

    agreement = AgreementRefSerializer(read_only=True)
    editions_not_covered = EditionRefSerializer(many=True, read_only=True)

    class Meta(AgreementItemSerializer.Meta):
        fields = ["agreement", *AgreementItemSerializer.Meta.fields, "editions_not_covered"]


class RecognitionCheckSerializer(serializers.Serializer):
    """Is opportunity X recognised by institution Y on a day, and for what."""

    opportunity = serializers.IntegerField()
    institution = serializers.IntegerField()
    on = serializers.DateField()
    recognised = serializers.BooleanField()
    recognitions = RecognitionSerializer(many=True)
    decisions = DecisionSerializer(many=True)
