"""What a provider's system sends to create or update an opportunity, and how it is checked.

Vocabulary values are accepted as code or URI (``"ENG"`` or
``"http://publications.europa.eu/resource/authority/language/ENG"``); ESCO skills as URIs.
"""

from django.core.exceptions import ValidationError as ModelValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, Scheme


@extend_schema_field({"type": "string", "description": "Vocabulary code or concept URI."})
class ConceptField(serializers.Field):
    def __init__(self, scheme: str, **kwargs):
        self.scheme = scheme
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = str(data).strip()
        concept = (
            Concept.objects.filter(scheme=self.scheme)
            .filter(**({"uri": value} if "://" in value else {"code": value}))
            .first()
        )
        if concept is None:
            raise serializers.ValidationError(f"Unknown {self.scheme} value {value!r}.")
        return concept

    def to_representation(self, value):
        return value.uri


@extend_schema_field({"type": "string", "description": "ISCED-F 2013 code, e.g. 0613."})
class IscedFieldField(serializers.Field):
    def to_internal_value(self, data):
        code = str(data).strip().rsplit("/", 1)[-1]
        field = IscedField.objects.filter(code=code).first()
        if field is None:
            raise serializers.ValidationError(f"{data!r} is not an ISCED-F 2013 field.")
        return field

    def to_representation(self, value):
        return value.code


@extend_schema_field({"type": "string", "format": "uri", "description": "ESCO skill URI."})
class EscoSkillField(serializers.Field):
    def to_internal_value(self, data):
        skill = EscoSkill.objects.filter(uri=str(data).strip()).first()
        if skill is None:
            raise serializers.ValidationError(f"{data!r} is not a loaded ESCO skill URI.")
        return skill

    def to_representation(self, value):
        return value.uri


class OutcomeWriteSerializer(serializers.Serializer):
    title = serializers.CharField()
    skills = serializers.ListField(child=EscoSkillField(), required=False, default=list)


class OpportunityWriteSerializer(serializers.Serializer):
    provider_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True)
    opportunity_type = ConceptField(
        Scheme.LEARNING_OPPORTUNITY_TYPE, required=False, allow_null=True
    )
    homepage = serializers.CharField(required=False, allow_blank=True)
    default_language = ConceptField(Scheme.LANGUAGE)
    languages = serializers.ListField(child=ConceptField(Scheme.LANGUAGE), required=False)
    isced_fields = serializers.ListField(child=IscedFieldField(), required=False)
    modes = serializers.ListField(child=ConceptField(Scheme.MODE), required=False)
    eqf_level = serializers.IntegerField(required=False, allow_null=True)
    workload_hours = serializers.IntegerField(required=False, allow_null=True)
    ects_credits = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    is_free = serializers.BooleanField(required=False)
    fee_amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )
    currency = ConceptField(Scheme.CURRENCY, required=False, allow_null=True)
    any_start_date = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    duration = serializers.CharField(required=False, allow_blank=True)
    admission_procedure = serializers.CharField(required=False, allow_blank=True)
    entry_requirements = serializers.CharField(required=False, allow_blank=True)
    outcomes = OutcomeWriteSerializer(many=True, required=False)

    RELATIONS = ("languages", "isced_fields", "modes")

    def validate_eqf_level(self, value):
        if value is None:
            return None
        level = EqfLevel.objects.filter(level=value).first()
        if level is None:
            raise serializers.ValidationError("EQF levels go from 1 to 8.")
        return level

    def split(self) -> tuple[dict, dict, list | None]:
        """(field values, many-to-many members, outcomes) for ``services.opportunity_save``."""
        data = dict(self.validated_data)
        outcomes = data.pop("outcomes", None)
        relations = {name: data.pop(name) for name in self.RELATIONS if name in data}
        return data, relations, outcomes


def model_errors(error: ModelValidationError) -> dict:
    """A model ValidationError as the API's field -> messages shape."""
    if hasattr(error, "message_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): messages
            for name, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}
