"""The OpenAPI schema's account of errors: every operation lists the error statuses it can
answer with, each with one of two shared shapes, and says that reads need no token.

drf-spectacular documents only the success of an operation; partners writing a client need
the failures too, and they are the same few shapes everywhere (DRF's ``{"detail": ...}`` and
field errors), so they are added here once rather than on every view.
"""

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions


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
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PATH_VARIABLE = re.compile(r"{\w+}")


def without_format_suffixes(endpoints):
    """Drop ``learning-opportunities/7.xml`` and the like: the same operations as the paths
    without a suffix, whose ``format`` parameter (or Accept header) documents them."""
    return [endpoint for endpoint in endpoints if "{format}" not in endpoint[0]]


class ErrorDocumentingSchema(AutoSchema):
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
        errors = {}
        query = {
            parameter["name"] for parameter in self._get_parameters() if parameter["in"] == "query"
        }
        # ``format`` picks a representation; an unknown one is a 404, not rejected input.
        if self.method in {"POST", "PUT", "PATCH"} or query - {"format"}:
            errors["400"] = (FIELD_ERRORS, "Rejected query parameters or record.")
        if self.view.authentication_classes:
            errors["401"] = (
                ERROR,
                "Writes: no token. Any request: a malformed, unknown or revoked token.",
            )
        if self.method in WRITE_METHODS:
            errors["403"] = (ERROR, "The token's organisation may not change this record.")
        if PATH_VARIABLE.search(self.path) or query & {"page", "format"}:
            errors["404"] = (
                ERROR,
                "No such record, page or format, or no record the caller may see.",
            )
        errors["429"] = (ERROR, "Too many requests: try again after Retry-After seconds.")
        errors["500"] = (ERROR, "Server error; it has been logged.")
        return errors
