"""What the catalogue keeps to find opportunities fast: a search document and a change log."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity


class SearchDocument(models.Model):
    """The searchable text of one opportunity, rebuilt on every change (see ``search.indexing``).

    ``document`` is the accent-free, lower-cased text of every searchable descriptor; SQLite
    matches against it. On PostgreSQL ``vector`` holds the weighted tsvector (title A; outcomes
    and ESCO skill labels B; description C; provider names D) behind a GIN index, and
    ``document`` stays empty to keep the table small.
    """

    opportunity = models.OneToOneField(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        help_text=_("The opportunity whose text this is."),
    )
    document = models.TextField(
        _("searchable text"),
        help_text=_(
            "The accent-free, lower-cased text of every searchable descriptor (empty on "
            "PostgreSQL, which searches the weighted words)."
        ),
    )
    vector = SearchVectorField(
        _("weighted words"),
        null=True,
        help_text=_(
            "The words of the title, outcomes and skills, description and provider names, "
            "weighted in that order."
        ),
    )
    # The title alone: small enough to rank tens of thousands of matches quickly.
    title_vector = SearchVectorField(
        _("title words"), null=True, help_text=_("The words of the title alone, for ranking.")
    )
    completeness = models.PositiveSmallIntegerField(
        _("completeness"),
        default=0,
        help_text=_(
            "Share (0-100) of the mandatory elements the opportunity describes: of equally "
            "relevant results, the more complete comes first."
        ),
    )

    class Meta:
        verbose_name = _("search document")
        indexes = [
            GinIndex(fields=["vector"], name="search_document_vector"),
            GinIndex(fields=["title_vector"], name="search_document_title"),
        ]

    def __str__(self) -> str:
        return self.document[:80]


class SearchWord(models.Model):
    """Every word the catalogue contains: the vocabulary that misspelt words are corrected to."""

    word = models.CharField(
        _("word"),
        max_length=100,
        primary_key=True,
        help_text=_("An accent-free word of the catalogue."),
    )

    class Meta:
        verbose_name = _("search word")

    def __str__(self) -> str:
        return self.word


class SearchWordStem(models.Model):
    """A stem of a catalogue word in one of the stemmed languages: words that share a stem are
    forms of one another ("masterpiece" finds "Masterpieces"; decision record 0018)."""

    stem = models.CharField(
        _("stem"), max_length=100, help_text=_("What a Snowball stemmer makes of the word.")
    )
    word = models.CharField(
        _("word"), max_length=100, help_text=_("An accent-free word of the catalogue.")
    )

    class Meta:
        verbose_name = _("stem of a search word")
        constraints = [
            models.UniqueConstraint(fields=["stem", "word"], name="search_word_stem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.stem}: {self.word}"


# Ids and log sequences are 64-bit: a larger number from a URL names nothing.
MAX_ID = 2**63 - 1


def record_id(text: str) -> int | None:
    """The id a client wrote, or None when the text is not one (a well-formed id may still name
    nothing). Not ``str.isdigit()`` alone: it accepts "²", which ``int()`` refuses, and 20
    digits overflow the database's integer."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


class CatalogueChange(models.Model):
    """An ordered log of changes to opportunities, so readers can catch up incrementally.

    The facet index replays it to stay current; the API's changes feed will publish it.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        UNPUBLISHED = "unpublished", _("unpublished")
        DELETED = "deleted", _("deleted")

    sequence = models.BigAutoField(
        _("sequence"),
        primary_key=True,
        help_text=_("The change's place in the log: readers catch up from the last they saw."),
    )
    # A plain id, not a foreign key: the entry outlives a deleted opportunity.
    opportunity_id = models.BigIntegerField(
        _("opportunity"), help_text=_("The id of the opportunity that changed.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        help_text=_("Created, updated, unpublished or deleted."),
    )
    changed_at = models.DateTimeField(
        _("changed at"), auto_now_add=True, help_text=_("When the change was logged.")
    )

    class Meta:
        verbose_name = _("catalogue change")
        ordering = ["sequence"]
        indexes = [
            # An opportunity's latest change (its version, for ETags) is one index probe; on
            # the opportunity alone the planner may walk the whole log backwards instead.
            models.Index(fields=["opportunity_id", "sequence"], name="change_opportunity_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.opportunity_id}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A secret that lets one organisation's systems write its own opportunities via the API.

    Only a SHA-256 digest is stored; the token itself is shown once, when it is issued.
    """

    organisation = models.ForeignKey(
        "descriptors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The organisation whose opportunities the token may write."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. 'course management system'.")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=8,
        editable=False,
        help_text=_("The first characters, to tell tokens apart."),
    )
    digest = models.CharField(
        _("digest"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("The token's SHA-256 digest: the token itself is not stored."),
    )
    created = models.DateTimeField(
        _("issued"), auto_now_add=True, help_text=_("When the token was issued.")
    )
    last_used = models.DateTimeField(
        _("last used"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a request last came with the token."),
    )
    revoked_at = models.DateTimeField(
        _("revoked"),
        null=True,
        blank=True,
        help_text=_("From then on, requests with the token are refused."),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation", "-created"]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.name} ({self.prefix}…)"


class ElmImport(models.Model):
    """An ELM LOQ document an organisation's system sent to the API, imported by the task
    worker when it is too large to import while the request waits (see ``api.writes``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "descriptors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="elm_imports",
        help_text=_("The organisation whose system sent the document."),
    )
    token = models.ForeignKey(
        ApiToken,
        verbose_name=_("sent with"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The API token the document came with."),
    )
    content = models.BinaryField(
        _("document"), editable=False, help_text=_("The ELM LOQ document as it was received.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.QUEUED,
        help_text=_("Where the import stands."),
    )
    records_total = models.PositiveIntegerField(
        _("records"),
        null=True,
        blank=True,
        help_text=_("How many records the document holds, once counted."),
    )
    records_done = models.PositiveIntegerField(
        _("records done"), default=0, help_text=_("How many records are imported so far.")
    )
    report = models.JSONField(
        _("report"),
        default=dict,
        blank=True,
        help_text=_("Created, updated, unchanged and rejected records, and what was dropped."),
    )
    error = models.TextField(_("error"), blank=True, help_text=_("Why the import failed."))
    created = models.DateTimeField(
        _("received"), auto_now_add=True, help_text=_("When the document arrived.")
    )
    updated = models.DateTimeField(
        _("last activity"), auto_now=True, help_text=_("When the worker last reported progress.")
    )
    finished = models.DateTimeField(
        _("finished"), null=True, blank=True, help_text=_("When the import ended, done or failed.")
    )

    class Meta:
        verbose_name = _("ELM import")
        verbose_name_plural = _("ELM imports")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"ELM import #{self.pk} ({self.organisation})"
