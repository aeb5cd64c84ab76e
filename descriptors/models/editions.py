"""The offerings of a micro-credential over time (ELM ``LearningOpportunity``; decision 0012):
when each runs, what it costs, how many places, and what its dates say about it today."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from descriptors.models.base import history_user, in_scheme
from taxonomies.models import Concept, Scheme

ISO_8601_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$"
)


def validate_iso_duration(value: str) -> None:
    if value and not ISO_8601_DURATION.match(value):
        raise ValidationError(
            _("Enter an ISO 8601 duration such as P4M (4 months), P6W (6 weeks) or P1Y."),
            code="invalid_duration",
        )


class EditionQuerySet(models.QuerySet):
    def published(self) -> "EditionQuerySet":
        return self.filter(is_published=True)


class Edition(models.Model):
    """One offering of a micro-credential: when it runs, what it costs, how many places.

    ECCOE 9 (dates), 10 (duration), 11 (learning schedule) and 15 (fees), and 7, 8 and 16 where
    they differ from the micro-credential's. ELM ``LearningOpportunity`` (the micro-credential
    itself is the ``LearningAchievementSpecification`` side of ``LearningOpportunity``; decision
    0012). Location, modes, languages and homepage left empty are the micro-credential's.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for applications")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    opportunity = models.ForeignKey(
        # By name: the opportunities module imports this one.
        "LearningOpportunity",
        verbose_name=_("micro-credential"),
        on_delete=models.CASCADE,
        related_name="editions",
        help_text=_("The micro-credential this edition offers."),
    )
    reference = models.CharField(
        _("edition code"),
        max_length=100,
        blank=True,
        help_text=_("Your own code for this edition, e.g. '2026-spring'; unique per opportunity."),
    )
    status = models.CharField(
        _("edition status"),
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
        help_text=_(
            "Planned, open for applications, running, finished or cancelled. Dates that have "
            "passed make an edition running or finished for learners whatever is set here."
        ),
    )
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Shown to learners when the micro-credential is published."),
    )
    # 9-11
    any_start_date = models.BooleanField(
        _("any start date"),
        default=False,
        help_text=_("ECCOE 9: learners may start at any time (self-paced); leave the dates empty."),
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, help_text=_("ECCOE 9: the first day.")
    )
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("The last day (assessment included).")
    )
    application_deadline = models.DateField(
        _("application deadline"),
        null=True,
        blank=True,
        help_text=_("The last day learners can apply or enrol."),
    )
    duration = models.CharField(
        _("duration"),
        max_length=32,
        blank=True,
        validators=[validate_iso_duration],
        help_text=_("ECCOE 10: how long it runs, as ISO 8601 (P4M = 4 months, P6W = 6 weeks)."),
    )
    learning_schedule = models.ForeignKey(
        Concept,
        verbose_name=_("learning schedule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.LEARNING_SCHEDULE),
        related_name="+",
        help_text=_("ECCOE 11: part time light (< 8 h/week), part time intensive or full time."),
    )
    schedule_information = models.TextField(
        _("timetable"),
        blank=True,
        help_text=_("ECCOE 11: days, times, sessions."),
    )
    # 15
    is_free = models.BooleanField(
        _("free of charge"),
        default=False,
        help_text=_("ECCOE 15: no fee for the learner."),
    )
    fee_amount = models.DecimalField(
        _("fee"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("ECCOE 15: the price for a learner; leave empty if unknown."),
    )
    currency = models.ForeignKey(
        Concept,
        verbose_name=_("currency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.CURRENCY),
        related_name="+",
        help_text=_("The currency of the fee."),
    )
    fee_note = models.CharField(
        _("fee details"),
        max_length=255,
        blank=True,
        help_text=_("E.g. 'free for enrolled students; verified certificate EUR 30'."),
    )
    places = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("How many learners it admits; leave empty if there is no limit."),
    )
    location = models.CharField(
        _("provided at"),
        max_length=255,
        blank=True,
        help_text=_("Where this edition takes place, if not where the micro-credential says."),
    )
    modes = models.ManyToManyField(
        Concept,
        verbose_name=_("mode of learning"),
        blank=True,
        related_name="+",
        limit_choices_to=in_scheme(Scheme.MODE),
        help_text=_("Only if this edition's modes differ from the micro-credential's."),
    )
    languages = models.ManyToManyField(
        Concept,
        verbose_name=_("languages of instruction"),
        blank=True,
        related_name="+",
        limit_choices_to=in_scheme(Scheme.LANGUAGE),
        help_text=_("Only if this edition's languages differ from the micro-credential's."),
    )
    homepage = models.URLField(
        _("web page"),
        blank=True,
        help_text=_("This edition's own page for enrolment, if it has one."),
    )

    history = HistoricalRecords(m2m_fields=[modes, languages], get_user=history_user)
    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["opportunity_id", "start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "reference"],
                condition=~models.Q(reference=""),
                name="edition_unique_reference",
                violation_error_message=_(
                    "This opportunity already has an edition with this code."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="edition_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        if self.any_start_date:
            when = str(_("any time"))
        else:
            when = self.start_date.isoformat() if self.start_date else str(_("dates to be set"))
        return f"{self.reference} ({when})" if self.reference else when

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.any_start_date:
            for name in ("start_date", "end_date"):
                if getattr(self, name):
                    errors.setdefault(name, []).append(
                        _("Leave the dates empty when learners can start at any date.")
                    )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", []).append(
                _("The end date cannot be before the start date.")
            )
        if (
            self.application_deadline
            and self.end_date
            and self.application_deadline > self.end_date
        ):
            # After the start is allowed: some editions take learners who join late.
            errors.setdefault("application_deadline", []).append(
                _("Applications cannot close after the edition has ended.")
            )
        if self.fee_amount is not None and self.fee_amount > 0 and self.currency_id is None:
            errors.setdefault("currency", []).append(_("Choose the currency of the fee."))
        if self.is_free and self.fee_amount:
            errors.setdefault("fee_amount", []).append(
                _("A free opportunity has no fee; use 'fee details' for optional extras.")
            )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def status_for_dates(start_date, end_date, today) -> "Edition.Status":
        """What an edition's dates say it is today: finished once it ended, running once it
        started, else open (an edition in a catalogue is advertised)."""
        if end_date is not None and end_date < today:
            return Edition.Status.FINISHED
        if start_date is not None and start_date <= today:
            return Edition.Status.RUNNING
        return Edition.Status.OPEN

    @property
    def current_status(self) -> "Edition.Status":
        """The status learners see: cancelled or finished as the provider set it, else what
        the dates say once they have passed (nobody has to update a status each morning)."""
        if self.status in (self.Status.CANCELLED, self.Status.FINISHED):
            return self.Status(self.status)
        by_dates = self.status_for_dates(self.start_date, self.end_date, timezone.localdate())
        return by_dates if by_dates != self.Status.OPEN else self.Status(self.status)

    @property
    def is_past(self) -> bool:
        return self.current_status in (self.Status.FINISHED, self.Status.CANCELLED)

    @property
    def is_upcoming(self) -> bool:
        """Not started yet (or start any time), and not cancelled."""
        return self.current_status in (self.Status.PLANNED, self.Status.OPEN)

    @property
    def application_open(self) -> bool:
        return (
            self.application_deadline is not None
            and self.application_deadline >= timezone.localdate()
            and not self.is_past
        )

    @property
    def effective_location(self) -> str:
        return self.location or self.opportunity.location

    @property
    def effective_homepage(self) -> str:
        return self.homepage or self.opportunity.homepage

    @property
    def effective_modes(self) -> list:
        return list(self.modes.all()) or list(self.opportunity.modes.all())

    @property
    def effective_languages(self) -> list:
        return list(self.languages.all()) or list(self.opportunity.languages.all())

    def sort_key(self) -> tuple:
        """Editions in the order learners meet them: start any time first, then by date."""
        return (not self.any_start_date, self.start_date or timezone.localdate(), self.pk or 0)
