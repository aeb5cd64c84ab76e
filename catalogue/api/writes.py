"""What a provider's system sends to create or update an opportunity, and how it is checked.

Vocabulary values are accepted as code or URI (``"ENG"`` or
``"http://publications.europa.eu/resource/authority/language/ENG"``); ESCO skills as URIs.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.auth import (
    CanWriteOpportunities,
    OrganisationClient,
    OrganisationTokenAuthentication,
)
from catalogue.api.errors import api_errors
from catalogue.models import MAX_ID, ElmImport
from catalogue.tasks import elm_import_start
from descriptors.elm_import import DocumentRejected, elm_import
from descriptors.formats.elm_xml_document import LoqDocument
from descriptors.models import Edition
from descriptors.vocabularies import UnknownValue, Vocabularies
from taxonomies.models import EqfLevel, EscoSkill, Scheme


def _vocabularies(field: serializers.Field) -> Vocabularies:
    """One look-up per request (each vocabulary read once), shared by the whole payload."""
    return field.root.context.setdefault("vocabularies", Vocabularies())


@extend_schema_field({"type": "string", "description": "Vocabulary code or concept URI."})
class ConceptField(serializers.Field):
    def __init__(self, scheme: str, **kwargs):
        self.scheme = scheme
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = str(data).strip()
        try:
            return _vocabularies(self).concept(self.scheme, value)
        except UnknownValue as error:
            raise serializers.ValidationError(f"Unknown {self.scheme} value {value!r}.") from error

    def to_representation(self, value):
        return value.uri


@extend_schema_field({"type": "string", "description": "ISCED-F 2013 code, e.g. 0613."})
class IscedFieldField(serializers.Field):
    def to_internal_value(self, data):
        try:
            return _vocabularies(self).isced(str(data).strip())
        except UnknownValue as error:
            raise serializers.ValidationError(f"{data!r} is not an ISCED-F 2013 field.") from error

    def to_representation(self, value):
        return value.code


@extend_schema_field({"type": "string", "format": "uri", "description": "ESCO skill URI."})
class EscoSkillField(serializers.Field):
    def to_internal_value(self, data):
        # One query: the full ESCO set is too large to read for a request.
        skill = EscoSkill.objects.filter(uri=str(data).strip()).first()
        if skill is None:
            raise serializers.ValidationError(f"{data!r} is not a loaded ESCO skill URI.")
        return skill

    def to_representation(self, value):
        return value.uri


class OutcomeWriteSerializer(serializers.Serializer):
    title = serializers.CharField()
    skills = serializers.ListField(child=EscoSkillField(), required=False, default=list)


class GrantWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    homepage = serializers.URLField(max_length=500, required=False, allow_blank=True)


class EditionWriteSerializer(serializers.Serializer):
    """One edition as a provider's system sends it. ``location``, ``modes``, ``languages`` and
    ``homepage`` left out or empty are the micro-credential's."""

    id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="An existing edition's id (in an opportunity's editions list).",
    )
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Edition.Status.choices, required=False)
    is_published = serializers.BooleanField(required=False)
    any_start_date = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    application_deadline = serializers.DateField(required=False, allow_null=True)
    duration = serializers.CharField(max_length=32, required=False, allow_blank=True)
    learning_schedule = ConceptField(Scheme.LEARNING_SCHEDULE, required=False, allow_null=True)
    schedule_information = serializers.CharField(required=False, allow_blank=True)
    is_free = serializers.BooleanField(required=False)
    fee_amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )
    currency = ConceptField(Scheme.CURRENCY, required=False, allow_null=True)
    fee_note = serializers.CharField(max_length=255, required=False, allow_blank=True)
    places = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2_147_483_647
    )
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    modes = serializers.ListField(child=ConceptField(Scheme.MODE), required=False)
    languages = serializers.ListField(child=ConceptField(Scheme.LANGUAGE), required=False)
    homepage = serializers.CharField(required=False, allow_blank=True)


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
    region = ConceptField(Scheme.NUTS, required=False, allow_null=True)
    eqf_level = serializers.IntegerField(required=False, allow_null=True)
    workload_hours = serializers.IntegerField(required=False, allow_null=True)
    ects_credits = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    admission_procedure = serializers.CharField(required=False, allow_blank=True)
    entry_requirements = serializers.CharField(required=False, allow_blank=True)
    outcomes = OutcomeWriteSerializer(many=True, required=False)
    editions = EditionWriteSerializer(
        many=True,
        required=False,
        help_text=(
            "The whole set of editions: those with an id are changed, those without are added "
            "(or matched by reference), those left out are deleted."
        ),
    )
    grants = GrantWriteSerializer(
        many=True,
        required=False,
        help_text="Grants or subsidies for the learners: the list given replaces the stored one.",
    )

    RELATIONS = ("languages", "isced_fields", "modes")

    def validate_eqf_level(self, value):
        if value is None:
            return None
        level = EqfLevel.objects.filter(level=value).first()
        if level is None:
            raise serializers.ValidationError("EQF levels go from 1 to 8.")
        return level

    def split(self) -> tuple[dict, dict, dict]:
        """(field values, many-to-many members, children) for ``services.opportunity_save``."""
        data = dict(self.validated_data)
        children = {
            name: [dict(child) for child in data.pop(name)]
            for name in ("outcomes", "editions", "grants")
            if name in data
        }
        relations = {name: data.pop(name) for name in self.RELATIONS if name in data}
        return data, relations, children


# --- ELM import -----------------------------------------------------------------------------


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The document is too large."
    default_code = "payload_too_large"


class LoqXmlParser(BaseParser):
    """The request body as bytes, refused beyond ``OCLO_API_IMPORT_MAX_BYTES`` (read no
    further than that, whatever the declared length)."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.OCLO_API_IMPORT_MAX_BYTES
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise PayloadTooLarge(_too_large())
        return data


def _too_large() -> str:
    return (
        f"Documents larger than {settings.OCLO_API_IMPORT_MAX_BYTES // (1024 * 1024)} MB are "
        "refused: split the catalogue into several documents."
    )


def _job_json(request, job: ElmImport) -> dict:
    return {
        "id": job.pk,
        "url": request.build_absolute_uri(reverse("api:opportunity-import-job", args=[job.pk])),
        "status": job.status,
        "records_total": job.records_total,
        "records_done": job.records_done,
        "report": job.report or None,
        "error": job.error,
        "received": job.created,
        "finished": job.finished,
    }


class OpportunityImportView(APIView):
    """Import an ELM LOQ XML document as your organisation's opportunities (token only).

    Each record is imported whole or not at all. A document of up to
    ``OCLO_API_IMPORT_SYNC_RECORDS`` records is imported while you wait: the answer (200) lists
    what was created, updated, unchanged and rejected (with reason and line), and what the
    document holds that the catalogue does not keep. A larger one is imported by the task
    worker: the answer is 202 with the job's URL (``Location``), which gives its progress and,
    once done, the same report.
    """

    authentication_classes = [OrganisationTokenAuthentication]
    permission_classes = [CanWriteOpportunities]
    parser_classes = [LoqXmlParser]

    @extend_schema(
        request={"application/xml": OpenApiTypes.BINARY},
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
        summary="Import an ELM LOQ XML document",
    )
    @api_errors(
        {
            400: "The body is empty or not an ELM LOQ document.",
            403: "Imports need an organisation's API token.",
            413: "The document is larger than the import limit.",
        }
    )
    def post(self, request):
        if not isinstance(request.user, OrganisationClient):
            raise PermissionDenied("Imports need an organisation's API token.")
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > settings.OCLO_API_IMPORT_MAX_BYTES:
            raise PayloadTooLarge(_too_large())  # before reading a byte of it
        # An empty body never reaches the parser: DRF gives an empty dict instead.
        if not isinstance(request.data, bytes) or not request.data.strip():
            raise ValidationError(
                {"document": ["The request body is empty: send an ELM LOQ XML document."]}
            )
        organisation = request.user.organisation
        try:
            with LoqDocument(request.data) as document:
                if document.opportunity_count <= settings.OCLO_API_IMPORT_SYNC_RECORDS:
                    report = elm_import(document, provider=organisation)
                    return Response(report.as_json())
        except DocumentRejected as error:
            raise ValidationError({"document": [str(error)]}) from error
        job = elm_import_start(
            organisation=organisation, token=request.user.token, content=request.data
        )
        body = _job_json(request, job)
        return Response(body, status=202, headers={"Location": body["url"]})


class OpportunityImportJobView(APIView):
    """An ELM import the task worker runs: its status, progress and, once done, its report."""

    authentication_classes = [OrganisationTokenAuthentication]
    permission_classes = [CanWriteOpportunities]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Read an ELM import job")
    @api_errors({404: "No import job of your organisation has that id."})
    def get(self, request, pk: int):
        user = request.user
        job = None
        if isinstance(user, OrganisationClient):
            job = (
                ElmImport.objects.defer("content")
                .filter(pk=pk, organisation=user.organisation)
                .first()
            )
        if job is None:
            raise NotFound()
        return Response(_job_json(request, job))
