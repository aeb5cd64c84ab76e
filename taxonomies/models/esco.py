"""What the ESCO skills and occupations pillars share: labels in other languages and in the
visitor's language, the search text of a type-ahead, and the record of which ESCO release is
loaded.
"""

import unicodedata
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taxonomies.models.vocabularies import visitor_language_code


class EscoConcept:
    """What ESCO skills and occupations share beyond their fields: labels in the visitor's
    language (from ``labels``), the short key used in URLs, the page on the ESCO portal
    (``esco_page_kind``: the portal's path segment)."""

    esco_page_kind = ""
    URI_PREFIXES: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.localized_label

    def clean(self) -> None:
        # A concept added by hand (the admin) is an ESCO one too: it is offered and exported
        # as ESCO's, and imports update it by its URI.
        if self.uri and not self.uri.startswith(self.URI_PREFIXES):
            raise ValidationError(
                {
                    "uri": _("Give the concept's ESCO URI: it starts with %(prefixes)s.")
                    % {"prefixes": " or ".join(self.URI_PREFIXES)}
                }
            )

    @property
    def localized_label(self) -> str:
        language = visitor_language_code()
        if language != "en":
            for label in self.labels.all():
                if label.language == language and label.preferred_label:
                    return label.preferred_label
        return self.preferred_label

    @staticmethod
    def key_of(uri: str) -> str:
        """The last segment of a URI: the short, stable identifier used in catalogue URLs."""
        return uri.rsplit("/", 1)[-1]

    @property
    def key(self) -> str:
        return self.key_of(self.uri)

    @property
    def alt_label_list(self) -> list[str]:
        return [label for label in self.alt_labels.splitlines() if label]

    @property
    def esco_page_url(self) -> str:
        return (
            f"https://esco.ec.europa.eu/en/classification/{self.esco_page_kind}"
            f"?uri={quote(self.uri, safe='')}"
        )


def label_search_text(*labels: str) -> str:
    """Lower-case, accent-free labels, one per line: what a type-ahead compares against, so
    "ingenieur" finds "ingénieur" on SQLite as on PostgreSQL without an unaccent extension."""
    text = unicodedata.normalize("NFKD", "\n".join(label for label in labels if label))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


class EscoLabel(models.Model):
    """What the labels of a skill and of an occupation in a language other than English share:
    one row per concept and language, from the bundle's ``<file>_<lang>.csv``."""

    language = models.CharField(
        _("language"),
        max_length=8,
        help_text=_("ISO 639-1 code of the labels' language, e.g. it."),
    )
    preferred_label = models.CharField(
        _("preferred label"),
        max_length=255,
        help_text=_("The preferred label in that language."),
    )
    alt_labels = models.TextField(
        _("alternative labels"),
        blank=True,
        help_text=_("Alternative labels in that language, one per line."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.preferred_label} ({self.language})"


def labels_in_visitor_language(
    label_model: type[EscoLabel], lookup: str = "labels"
) -> models.Prefetch:
    """A prefetch of only the labels ``localized_label`` reads: the visitor's language, and
    none for English (the preferred label is English). An occupation needs up to 200 skills,
    each with a label per loaded language."""
    language = visitor_language_code()
    labels = label_model.objects.all() if language != "en" else label_model.objects.none()
    return models.Prefetch(lookup, queryset=labels.filter(language=language))


class EscoRelease(models.Model):
    """Which ESCO release the taxonomy tables hold, recorded by each import (shown in the
    footer and the API, and the key under which derived data such as skill embeddings is
    stored)."""

    version = models.CharField(
        _("ESCO version"),
        max_length=32,
        help_text=_('The release number, e.g. 1.1.1, or "unknown" when the bundle did not say.'),
    )
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("The folder it was loaded from.")
    )
    loaded_at = models.DateTimeField(
        _("loaded at"),
        default=timezone.now,
        help_text=_("When the import that recorded this release ran."),
    )
    skills = models.PositiveIntegerField(
        _("skills"),
        default=0,
        help_text=_("How many skills (not skill groups) the import left in the catalogue."),
    )
    occupations = models.PositiveIntegerField(
        _("occupations"),
        default=0,
        help_text=_("How many occupations (not ISCO groups) the import left in the catalogue."),
    )

    class Meta:
        verbose_name = _("ESCO release")
        verbose_name_plural = _("ESCO releases")
        get_latest_by = ["loaded_at", "pk"]

    def __str__(self) -> str:
        return f"ESCO v{self.version}"

    @classmethod
    def current(cls) -> "EscoRelease | None":
        return cls.objects.order_by("-loaded_at", "-pk").first()
