"""The OpenAPI schema's account of errors and of query parameters.

Every operation lists the error statuses it can answer with, each with one of two shared
shapes, and says that reads need no token. A view's query parameters are read from the
django-filter FilterSet it declares (``filterset_class``), the one that parses them.

drf-spectacular documents only the success of an operation. The failures come from two places,
and both are read, never guessed: what a view raises itself, declared next to the code with
``catalogue.api.errors.api_errors``; and what DRF answers because of the view's configuration
(a token that is refused, a throttle, a page that does not exist, an unknown ``format``, a body
that is not JSON). ``catalogue.api.errors.api_exception_handler`` makes every body match.
"""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    build_array_type,
    build_basic_type,
    build_parameter_type,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination

from catalogue.filters import ValuesFilter


def _schema_component(name: str, schema: dict) -> ResolvedComponent:
    return ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)


ERROR = _schema_component(
    "Error",
    {
        "type": "object",
        "description": "Every error except rejected input (400): one message for a person.",
        "properties": {"detail": {"type": "string", "example": "Not found."}},
        "required": ["detail"],
    },
)
FIELD_ERRORS = _schema_component(
    "FieldErrors",
    {
        "type": "object",
        "description": (
            "Rejected input: each field or query parameter in error with its messages. Rules "
            "about the whole record are under `non_field_errors`; a nested list (outcomes) "
            "gives one object per item. Nothing was written."
        ),
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "array", "items": {"type": "object"}},
                {"type": "object"},
            ]
        },
        "example": {
            "eqf_level": ["EQF levels go from 1 to 8."],
            "default_language": ["Unknown language value 'XXX'."],
        },
    },
)


def without_format_suffixes(endpoints):
    """Drop ``learning-opportunities/7.xml`` and the like: the same operations as the paths
    without a suffix, whose ``format`` parameter (or Accept header) documents them."""
    return [endpoint for endpoint in endpoints if "{format}" not in endpoint[0]]


class RepeatedValuesFilterExtension(DjangoFilterExtension):
    """drf-spectacular's reading of a FilterSet, which does not know our ``ValuesFilter``: any
    number of values of a facet, the parameter repeated (``?eqf=6&eqf=7``)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if not isinstance(filter_field, ValuesFilter):
            return super().resolve_filter_field(
                auto_schema, model, filterset_class, field_name, filter_field
            )
        return [
            build_parameter_type(
                name=field_name,
                location=OpenApiParameter.QUERY,
                description=self._get_field_description(filter_field, None),
                schema=build_array_type(build_basic_type(OpenApiTypes.STR)),
                explode=True,
                style="form",
            )
        ]


class ErrorDocumentingSchema(AutoSchema):
    def get_filter_backends(self):
        # A search answers a page of its own shape (results, facets, the query understood),
        # which drf-spectacular does not take for a list: its filters apply all the same.
        if self.method == "GET" and getattr(self.view, "filterset_class", None):
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "The answer's format, instead of the Accept header or a suffix of the address."
            )
        return parameters

    def get_auth(self):
        auth = super().get_auth()
        # Reads are open data: a token is accepted (and checked) but never required.
        if self.method in permissions.SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, (component, description) in self._errors().items():
            self.registry.register_on_missing(component)
            responses.setdefault(
                status,
                {
                    "description": description,
                    "content": {"application/json": {"schema": component.ref}},
                    **(
                        {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                        if status == "429"
                        else {}
                    ),
                },
            )
        return responses

    def _errors(self) -> dict[str, tuple[ResolvedComponent, str]]:
        errors = {
            str(code): description for code, description in self._configuration_errors().items()
        }
        for target in (type(self.view), getattr(self.view, self.method.lower(), None)):
            for code, description in getattr(target, "api_errors", {}).items():
                # One status, several causes (a page that does not exist, an unknown id).
                known = errors.get(str(code))
                errors[str(code)] = f"{known} {description}" if known else description
        return {
            code: (FIELD_ERRORS if code == "400" else ERROR, description)
            for code, description in sorted(errors.items())
        }

    def _configuration_errors(self) -> dict[int, str]:
        """What DRF itself answers for this operation, given how its view is set up."""
        view, errors = self.view, {}
        if self.method in {"POST", "PUT", "PATCH"} and self._get_request_body():
            errors[400] = "The body is not valid JSON, or a field is rejected. Nothing was written."
            errors[415] = "The body is not in a media type the operation reads."
        if any(
            auth().authenticate_header(None) for auth in getattr(view, "authentication_classes", [])
        ):
            errors[401] = "Writes: no token. Any request: a malformed, unknown or revoked token."
        if self.method not in permissions.SAFE_METHODS and any(
            permission is not permissions.AllowAny
            for permission in getattr(view, "permission_classes", [])
        ):
            errors[403] = "The caller may not write here (a session that is not a superuser's)."
        query = {
            parameter["name"] for parameter in self._get_parameters() if parameter["in"] == "query"
        }
        if "format" in query:
            errors[404] = "No such format."
        if isinstance(self._get_paginator(), PageNumberPagination) and self._is_list_view():
            errors[404] = "No such page."
        if getattr(view, "throttle_classes", None):
            errors[429] = "Too many requests: try again after Retry-After seconds."
        errors[500] = "Server error; it has been logged."
        return errors


# The answers in the standard formats, described as what they are (not as the JSON schemas).
LOQ_XML = OpenApiResponse(
    response={"type": "string", "description": "An ELM LOQ `Courses` document (loq.xsd 3.1.0)."},
    description="ELM LOQ XML, valid against the official loq.xsd (xsdVersion 3.1.0).",
)
ELM_JSONLD = OpenApiResponse(
    response={
        "type": "object",
        "description": (
            "ELM linked data: the learning opportunities (one per published edition) with "
            "their achievement specifications, organisations and outcomes, as a JSON-LD graph "
            "in our context (docs/decisions/0013-elm-linked-data.md)."
        ),
        "properties": {
            "@context": {"type": "string", "format": "uri"},
            "@graph": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": (
                        "A learning opportunity; its `learningAchievementSpecification` is "
                        "described where the graph first has it, then linked by its IRI."
                    ),
                    "properties": {
                        "id": {"type": "string", "format": "uri"},
                        "type": {"type": "string", "enum": ["LearningOpportunity"]},
                    },
                    "required": ["id", "type"],
                    "additionalProperties": True,
                },
            },
        },
        "required": ["@context", "@graph"],
    },
    description="ELM JSON-LD (`Accept: application/ld+json` or `.jsonld`).",
)
OB3_ACHIEVEMENT = OpenApiResponse(
    response={
        "type": "object",
        "description": (
            "An Open Badges 3.0 `Achievement` (1EdTech), as it goes into an "
            "`AchievementCredential`'s `credentialSubject.achievement`."
        ),
        "properties": {
            "@context": {"type": "array", "items": {"type": "string"}},
            "id": {"type": "string", "format": "uri"},
            "type": {"type": "array", "items": {"type": "string"}},
            "achievementType": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "criteria": {"type": "object", "additionalProperties": True},
            "creator": {"type": "object", "additionalProperties": True},
            "alignment": {"type": "array", "items": {"type": "object"}},
            "resultDescription": {"type": "array", "items": {"type": "object"}},
            "creditsAvailable": {"type": "number"},
        },
        "required": ["@context", "id", "type", "name", "description", "criteria"],
        "additionalProperties": True,
    },
    description="Open Badges 3.0 `Achievement` (`.ob3.json`, or `Accept: application/ld+json` "
    "with the OB3 profile).",
)
CSV = OpenApiResponse(
    response={"type": "string", "description": "CSV, columns as the README lists them."},
    description="The whole result as CSV (`.csv`), up to the CSV row limit.",
)
NOT_MODIFIED = OpenApiResponse(description="Unchanged since If-None-Match / If-Modified-Since.")
