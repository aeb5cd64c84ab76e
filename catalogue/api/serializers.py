"""JSON shapes of the public API. Taxonomy references are always ``{"uri", "label"}``."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from descriptors.completeness import opportunity_completeness
from descriptors.models import Edition, LearningOpportunity, Organisation
from descriptors.services import EDITION_VALUES
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, NqfLevel


class ReferenceSchema(serializers.Serializer):
    """OpenAPI shape of a reference; only the keys that apply are present."""

    uri = serializers.URLField(required=False)
    code = serializers.CharField(required=False)
    level = serializers.IntegerField(required=False)
    id = serializers.IntegerField(required=False)
    label = serializers.CharField()


@extend_schema_field(ReferenceSchema(allow_null=True))
class ReferenceField(serializers.Field):
    """A taxonomy concept (or an organisation) as ``{"uri", "label"}``."""

    def to_representation(self, value):
        if isinstance(value, Organisation):
            return {"id": value.pk, "label": value.name}
        if isinstance(value, Concept):
            return {"uri": value.uri, "code": value.code, "label": value.localized_label}
        if isinstance(value, IscedField):
            return {"uri": value.uri, "code": value.code, "label": value.localized_name}
        if isinstance(value, EqfLevel):
            return {"uri": value.uri, "level": value.level, "label": str(value)}
        if isinstance(value, EscoSkill):
            return {"uri": value.uri, "label": value.localized_label}
        if isinstance(value, NqfLevel):
            return {"uri": value.uri, "label": str(value)}
        return str(value)


class ReferenceListField(serializers.ListField):
    child = ReferenceField()

    def to_representation(self, value):
        return [self.child.to_representation(item) for item in value.all()]


class OrganisationSerializer(serializers.ModelSerializer):
    provider_type = ReferenceField()
    country = ReferenceField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "legal_name",
            "legal_identifier",
            "provider_type",
            "country",
            "city",
            "website",
        ]


class EditionSerializer(serializers.ModelSerializer):
    """One edition. ``status`` is what learners see (dates that have passed make it running
    or finished); ``location``, ``modes``, ``languages`` and ``homepage`` are the edition's
    own or, when it has none, the micro-credential's."""

    status = serializers.SerializerMethodField()
    learning_schedule = ReferenceField()
    currency = ReferenceField()
    location = serializers.CharField(source="effective_location")
    modes = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    homepage = serializers.CharField(source="effective_homepage")

    class Meta:
        model = Edition
        fields = [
            "id",
            "reference",
            "status",
            "is_published",
            *EDITION_VALUES,
            "places",
            "location",
            "modes",
            "languages",
            "homepage",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Edition.Status.choices))
    def get_status(self, edition) -> str:
        return edition.current_status.value

    @extend_schema_field(ReferenceSchema(many=True))
    def get_modes(self, edition) -> list:
        return [ReferenceField().to_representation(mode) for mode in edition.effective_modes]

    @extend_schema_field(ReferenceSchema(many=True))
    def get_languages(self, edition) -> list:
        return [ReferenceField().to_representation(lang) for lang in edition.effective_languages]


class OpportunitySummarySerializer(serializers.ModelSerializer):
    """What a result list carries; ``url`` leads to every descriptor, ``homepage`` to the
    course itself (a partner links to it without a second call)."""

    url = serializers.SerializerMethodField()
    provider = ReferenceField()
    opportunity_type = ReferenceField()
    eqf_level = ReferenceField()
    languages = ReferenceListField()
    modes = ReferenceListField()
    isced_fields = ReferenceListField()
    next_edition = EditionSerializer(allow_null=True, help_text="The edition to join now.")
    more_editions_count = serializers.IntegerField(
        help_text="How many other editions are to come or running besides the next one."
    )

    class Meta:
        model = LearningOpportunity
        fields = [
            "id",
            "url",
            "title",
            "homepage",
            "provider",
            "opportunity_type",
            "eqf_level",
            "ects_credits",
            "workload_hours",
            "languages",
            "modes",
            "isced_fields",
            "next_edition",
            "more_editions_count",
            "modified",
        ]

    def get_url(self, opportunity) -> str:
        path = reverse("api:opportunity-detail", args=[opportunity.pk])
        request = self.context.get("request")
        if request is not None:
            return request.build_absolute_uri(path)
        return self.context.get("base_url", "") + path


class TranslationSerializer(serializers.Serializer):
    language = ReferenceField()
    title = serializers.CharField()
    description = serializers.CharField()
    admission_procedure = serializers.CharField()
    entry_requirements = serializers.CharField()
    further_information = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    title = serializers.CharField()
    title_translations = serializers.DictField(child=serializers.CharField())
    skills = ReferenceListField()


class AssessmentSerializer(serializers.Serializer):
    title = serializers.CharField()
    assessment_type = ReferenceField()
    mode = ReferenceField()
    supervision = ReferenceField()
    grading_scheme = serializers.CharField()
    description = serializers.CharField()


class ActivitySerializer(serializers.Serializer):
    title = serializers.CharField()
    activity_type = ReferenceField()
    mode = ReferenceField()
    hours = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()


class GrantSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    homepage = serializers.CharField()


class OpportunityDetailSerializer(OpportunitySummarySerializer):
    """Every descriptor (ECCOE 1-25 and the Annex I additions)."""

    co_providers = ReferenceListField()
    hosted_by = ReferenceField()
    awarding_bodies = ReferenceListField()
    countries = ReferenceListField()
    region = ReferenceField()
    default_language = ReferenceField()
    editions = EditionSerializer(source="public_editions", many=True)
    credit_system = ReferenceField()
    target_groups = ReferenceListField()
    learning_setting = ReferenceField()
    credential_type = ReferenceField()
    nqf_level = ReferenceField()
    quality_assurance_type = ReferenceField()
    translations = TranslationSerializer(many=True)
    outcomes = OutcomeSerializer(many=True)
    assessments = AssessmentSerializer(many=True)
    activities = ActivitySerializer(many=True)
    grants = GrantSerializer(many=True)
    completeness = serializers.SerializerMethodField()

    class Meta(OpportunitySummarySerializer.Meta):
        fields = [
            *OpportunitySummarySerializer.Meta.fields,
            "provider_reference",
            "status",
            "description",
            "co_providers",
            "hosted_by",
            "awarding_bodies",
            "location",
            "countries",
            "region",
            "default_language",
            "editions",
            "credit_system",
            "admission_procedure",
            "entry_requirements",
            "target_groups",
            "learning_setting",
            "credential_type",
            "nqf_level",
            "nqf_sublevel",
            "quality_assurance_type",
            "quality_assurance_note",
            "is_stackable",
            "integration_options",
            "further_information",
            "translations",
            "outcomes",
            "assessments",
            "activities",
            "grants",
            "completeness",
            "published_at",
            "created",
        ]

    def get_completeness(self, opportunity) -> dict:
        report = opportunity_completeness(opportunity)
        return {"score": report.score, "missing": [item.key for item in report.missing]}


class ConceptSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="localized_label")

    class Meta:
        model = Concept
        fields = ["uri", "code", "label", "scheme"]


class EqfLevelSerializer(serializers.ModelSerializer):
    knowledge = serializers.CharField(source="localized_knowledge")
    skills = serializers.CharField(source="localized_skills")
    responsibility_autonomy = serializers.CharField(source="localized_responsibility_autonomy")

    class Meta:
        model = EqfLevel
        fields = ["level", "uri", "knowledge", "skills", "responsibility_autonomy", "qf_ehea_cycle"]


class NqfLevelSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.name")
    country = serializers.CharField(source="framework.country.code")

    class Meta:
        model = NqfLevel
        fields = ["uri", "code", "label", "framework", "country", "eqf_level"]


class IscedFieldSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="localized_name")
    children = serializers.SerializerMethodField()

    class Meta:
        model = IscedField
        fields = ["code", "uri", "level", "name", "children"]

    def get_children(self, field) -> list[dict]:
        children = self.context["children"].get(field.code, [])
        return IscedFieldSerializer(children, many=True, context=self.context).data


class EscoSkillSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="localized_label")

    class Meta:
        model = EscoSkill
        fields = ["uri", "label", "concept_type", "skill_type", "reuse_level", "description"]


class ChangeSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    opportunity = serializers.IntegerField(source="opportunity_id")
    kind = serializers.CharField()
    changed_at = serializers.DateTimeField()


class ChangePageSchema(serializers.Serializer):
    """OpenAPI shape of the changes feed's answer."""

    latest = serializers.IntegerField(help_text="Sequence of the newest change in the log.")
    next = serializers.URLField(allow_null=True, help_text="The following changes, if any.")
    results = ChangeSerializer(many=True)


class PublishWarningSerializer(serializers.Serializer):
    """An element the record lacks that Annex I calls mandatory or the ELM LOQ profile
    requires: the record is published all the same."""

    element = serializers.CharField(source="key")
    label = serializers.CharField()
    required_by = serializers.CharField(source="source")


class OpportunityPublishedSerializer(OpportunityDetailSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(OpportunityDetailSerializer.Meta):
        fields = [*OpportunityDetailSerializer.Meta.fields, "warnings"]

    @extend_schema_field(PublishWarningSerializer(many=True))
    def get_warnings(self, opportunity) -> list[dict]:
        missing = opportunity_completeness(opportunity).missing
        return PublishWarningSerializer(missing, many=True).data


class FacetValueSchema(serializers.Serializer):
    value = serializers.CharField(help_text="What to pass in the facet's query parameter.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Results with this value, other facets applied.")
    selected = serializers.BooleanField()
    children = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="Narrower values (ISCED-F fields, NUTS regions), each of this same shape.",
    )


class FacetSchema(serializers.Serializer):
    facet = serializers.CharField(help_text="The query parameter this facet filters on.")
    label = serializers.CharField()
    values = FacetValueSchema(many=True)
    more = serializers.IntegerField(
        help_text="Values with results that are not listed (only the most frequent are)."
    )
    more_values = FacetValueSchema(
        many=True,
        help_text="Those values, most frequent first; empty for the facets with too many "
        "values to list (skills, providers: find them with the suggestions endpoints).",
    )
    missing = serializers.IntegerField(help_text="Results that have no value for this facet.")


class SearchSuggestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["title", "skill", "provider", "field"],
        help_text="title: a learning opportunity; the others filter the search by a value.",
    )
    kind_label = serializers.CharField(help_text="The kind in the visitor's language.")
    label = serializers.CharField()
    url = serializers.CharField(help_text="The opportunity's page, or the filtered search.")
    count = serializers.IntegerField(help_text="Published opportunities it leads to.")


class SearchSuggestionsSchema(serializers.Serializer):
    results = SearchSuggestionSerializer(many=True)


class SearchedQuerySchema(serializers.Serializer):
    """OpenAPI shape of what a search's text was taken to mean."""

    text = serializers.CharField(help_text="The words as sent (`q`).")
    corrected = serializers.CharField(
        allow_null=True,
        help_text="The words searched for when some were misspelt (null when none was); "
        "`verbatim=true` searches the words as sent.",
    )
    corrections = serializers.DictField(
        child=serializers.CharField(), help_text="Each misspelt word and its correction."
    )
    all_words_required = serializers.BooleanField(
        help_text="false: too few records had every word, so records with most of them come "
        "too, after those with all of them."
    )
    all_words_count = serializers.IntegerField(
        help_text="How many results have every word (all of them when `all_words_required`)."
    )


class OpportunityPageSchema(serializers.Serializer):
    """OpenAPI shape of a page of search results (JSON)."""

    count = serializers.IntegerField(help_text="All results of the search, on every page.")
    next = serializers.URLField(allow_null=True, help_text="Next page or cursor; also in Link.")
    previous = serializers.URLField(allow_null=True, help_text="Previous page; also in Link.")
    results = OpportunitySummarySerializer(many=True)
    query = SearchedQuerySchema(required=False, help_text="With `q` only.")
    facets = FacetSchema(many=True, required=False, help_text="With `facets=true` only.")


def facet_json(facet) -> dict:
    """A facet of a search result in the shape of ``FacetSchema``."""

    def value_json(value):
        data = {
            "value": value.key,
            "label": value.label,
            "count": value.count,
            "selected": value.selected,
        }
        if value.children:
            data["children"] = [value_json(child) for child in value.children]
        return data

    return {
        "facet": facet.key,
        "label": facet.label,
        "values": [value_json(value) for value in facet.values],
        "more": facet.more,
        "more_values": [value_json(value) for value in facet.more_values],
        "missing": facet.missing,
    }


FACETS_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def facets_requested(request) -> bool:
    """Whether a search answer carries its facet counts (``facets=true``); another value is a
    400 rather than a silent "no"."""
    value = request.query_params.get("facets")
    if value is None or value == "":
        return False
    if value.lower() not in FACETS_VALUES:
        raise serializers.ValidationError({"facets": ["Give true or false."]})
    return FACETS_VALUES[value.lower()]
