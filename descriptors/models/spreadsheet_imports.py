"""Spreadsheets uploaded by providers and the background job that previews, then imports, each."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from descriptors.models.organisations import Organisation, OrganisationScopedQuerySet


class SpreadsheetImportQuerySet(OrganisationScopedQuerySet):
    def for_user(self, user) -> "SpreadsheetImportQuerySet":
        # Without the stored file: up to 20 MB, and a progress page reads its job every 2 s.
        return super().for_user(user).select_related("provider").defer("content")


class SpreadsheetImport(models.Model):
    """An uploaded spreadsheet and its import into one provider's records.

    The task worker runs it twice: first as a dry run whose report is the preview, then, once
    someone confirms, for real. The file is kept in the database (the worker may run on another
    machine) until the real import has run. No ECCOE criterion or ELM class: the rows it writes
    carry them.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="spreadsheet_imports",
        help_text=_("The organisation whose opportunities the file creates or updates."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who uploaded the file; empty once that account is deleted."),
    )
    file_name = models.CharField(
        _("file"), max_length=255, help_text=_("The name of the uploaded file.")
    )
    content = models.BinaryField(
        _("content"),
        editable=False,
        help_text=_("The uploaded file itself, kept until the import has run."),
    )
    dry_run = models.BooleanField(
        _("preview"), default=True, help_text=_("A preview writes nothing.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.QUEUED,
        help_text=_("Waiting for the worker, running, done or failed."),
    )
    rows_total = models.PositiveIntegerField(
        _("rows"),
        null=True,
        blank=True,
        help_text=_("How many rows the file holds, once the worker has read it."),
    )
    rows_done = models.PositiveIntegerField(
        _("rows done"), default=0, help_text=_("How many rows the worker has handled so far.")
    )
    summary = models.CharField(
        _("summary"),
        max_length=200,
        blank=True,
        help_text=_("The rows counted by outcome: created, updated, unchanged, rejected."),
    )
    report = models.JSONField(
        _("report"),
        default=list,
        blank=True,
        help_text=_("Each row: number, identifier, action and the problems found."),
    )
    error = models.TextField(
        _("error"), blank=True, help_text=_("Why the file as a whole could not be imported.")
    )
    created = models.DateTimeField(
        _("uploaded"), auto_now_add=True, help_text=_("When the file was uploaded.")
    )
    updated = models.DateTimeField(
        _("last activity"), auto_now=True, help_text=_("Queued, started, progressed or ended.")
    )
    finished = models.DateTimeField(
        _("finished"), null=True, blank=True, help_text=_("When the worker finished the job.")
    )

    objects = SpreadsheetImportQuerySet.as_manager()

    # A chunk of rows takes seconds: this long without a sign of life means no worker is
    # running, or the one that took the job stopped (killed, machine restarted).
    STALLED_AFTER_MINUTES = 10

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.provider})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def skill_suggestions(self) -> list[dict]:
        """The preview's suggested ESCO skills, one entry per outcome that names none:
        ``{"row", "outcome", "skills": [{"uri", "label", "words"}]}``."""
        return [
            {"row": row["row"], **outcome}
            for row in self.report or []
            for outcome in row.get("suggestions", [])
        ]

    @property
    def is_stalled(self) -> bool:
        return self.in_progress and timezone.now() - self.updated > timedelta(
            minutes=self.STALLED_AFTER_MINUTES
        )
