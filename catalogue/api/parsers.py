"""Request body parsers for the API."""

from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

NUL_IN_TEXT = "Texts cannot contain the NUL character (\\u0000)."


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StorableJSONParser(JSONParser):
    """JSON whose texts can be stored: PostgreSQL text cannot hold NUL (``\\u0000``), and a
    body with one would otherwise reach the database and end as a 500. The answer names each
    field that holds one, like any rejected field (400, ``FieldErrors``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if isinstance(data, dict):
            fields = [key for key, value in data.items() if _has_nul(key) or _has_nul(value)]
            if fields:
                raise ValidationError(
                    {key.replace("\x00", "") or "non_field_errors": [NUL_IN_TEXT] for key in fields}
                )
        elif _has_nul(data):
            raise ValidationError({"non_field_errors": [NUL_IN_TEXT]})
        return data
