"""Admin form fields for the descriptors that do not fit a plain model field widget."""

from django import forms
from django.utils.translation import gettext_lazy as _

from taxonomies.models import Concept, Scheme


class LangStringField(forms.Field):
    """Texts in several languages typed one per line as ``it: testo``; stored as a dict."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "it: ...\nfr: ..."})
    default_help_text = _("One line per language: the ISO 639-1 code, a colon and the text.")

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{language}: {text}" for language, text in value.items())
        return value

    def to_python(self, value) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        if not (value or "").strip():
            return {}
        known = set(
            Concept.objects.filter(scheme=Scheme.LANGUAGE)
            .exclude(short_code="")
            .values_list("short_code", flat=True)
        )
        texts: dict[str, str] = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            language, separator, text = line.partition(":")
            language = language.strip().lower()
            if not separator or not text.strip():
                raise forms.ValidationError(
                    _("Line %(number)s: write the language code, a colon, then the text."),
                    params={"number": number},
                )
            if language not in known:
                raise forms.ValidationError(
                    _(
                        "Line %(number)s: '%(language)s' is not a known language code "
                        "(e.g. it, fr)."
                    ),
                    params={"number": number, "language": language},
                )
            if language in texts:
                raise forms.ValidationError(
                    _("Line %(number)s: '%(language)s' is given twice."),
                    params={"number": number, "language": language},
                )
            texts[language] = text.strip()
        return texts

    def has_changed(self, initial, data) -> bool:
        # No translations is {} in the model and "" (or nothing) in the form. Compared as they
        # come, the blank outcome form that the admin adds to every page counted as changed,
        # and its required title then blocked every save.
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True
