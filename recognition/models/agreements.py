"""Credit recognition agreements (ECCOE MCRA, ``shared/domain/recognition.md`` §2.2): the
versioned agreement and the learning opportunities it recognises.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity, Organisation
from recognition.models.common import (
    CREDITS,
    GradePolicy,
    InstitutionScopedQuerySet,
    OpportunityReference,
    RecognitionMode,
    more_than_awarded,
)
from taxonomies.models import Concept, Scheme


class AgreementQuerySet(InstitutionScopedQuerySet):
    def public(self) -> "AgreementQuerySet":
        """Approved and retired versions: drafts are the institution's own business."""
        return self.exclude(status=Agreement.Status.DRAFT)

    def in_force(self, on: date | None = None) -> "AgreementQuerySet":
        on = on or timezone.localdate()
        return self.filter(status=Agreement.Status.APPROVED, valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class Agreement(models.Model):
    """One version of a Model Credit Recognition Agreement (ECCOE IO2).

    A recognising institution lists which providers' learning opportunities it recognises,
    toward what and under which conditions. Versions of one agreement share ``series``; an
    approved version is never edited: ``agreement_new_version`` drafts the next one.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        RETIRED = "retired", _("retired")

    class Type(models.TextChoices):
        CREDIT_TRANSFER = "credit-transfer", _("credit transfer")
        PRIOR_LEARNING = "prior-learning", _("exemption / recognition of prior learning")
        ADMISSION = "admission", _("admission")
        VIRTUAL_MOBILITY = "virtual-mobility", _("virtual mobility")

    series = models.UUIDField(
        _("agreement"),
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text=_("Shared by every version of the same agreement."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "Numbered from 1: an approved version is never edited, a change drafts the next one."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        help_text=_(
            "A draft can be edited; an approved version is public and locked; a retired one no "
            "longer applies."
        ),
    )
    institution = models.ForeignKey(
        Organisation,
        verbose_name=_("recognising institution"),
        on_delete=models.PROTECT,
        related_name="recognition_agreements",
        help_text=_("The institution that recognises the learning opportunities."),
    )
    providers = models.ManyToManyField(
        Organisation,
        verbose_name=_("providers"),
        related_name="agreements_as_provider",
        help_text=_("The providing institutions whose learning opportunities are recognised."),
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("E.g. 'Recognition of Leica street-photography micro-credentials'."),
    )
    agreement_type = models.CharField(
        _("type"),
        max_length=20,
        choices=Type.choices,
        default=Type.CREDIT_TRANSFER,
        help_text=_("What recognition gives the learner (Read & Arnold's agreement types)."),
    )
    objective = models.TextField(
        _("objective"),
        help_text=_(
            "What applying the agreement achieves, e.g. 'recognise partner MOOCs as "
            "elective credits in the bachelor in design'."
        ),
    )
    scope = models.TextField(
        _("scope"),
        blank=True,
        help_text=_("Programmes, faculties, levels and learner groups the agreement covers."),
    )
    language = models.ForeignKey(
        Concept,
        verbose_name=_("language of the agreement"),
        on_delete=models.PROTECT,
        limit_choices_to={"scheme": Scheme.LANGUAGE},
        related_name="+",
        help_text=_("The language the agreement is written and signed in."),
    )
    grade_conversion = models.TextField(
        _("grade conversion"),
        blank=True,
        help_text=_("How grades are converted, e.g. 'ECTS grading table' or 'pass/fail'."),
    )
    max_ects_per_learner = models.DecimalField(
        _("maximum ECTS per learner"),
        null=True,
        blank=True,
        help_text=_("The most credits one learner may have recognised under this agreement."),
        **CREDITS,
    )
    process = models.TextField(
        _("process"),
        help_text=_("How a learner applies, who assesses, and the deadlines."),
    )
    appeal = models.TextField(
        _("appeal"),
        blank=True,
        help_text=_(
            "Where a learner appeals a refusal (the Lisbon Recognition Convention "
            "guarantees a reasoned decision and an appeal route)."
        ),
    )
    quality_assurance = models.TextField(
        _("quality assurance"),
        blank=True,
        help_text=_("The quality assurance of both parties (accreditation, QA agency)."),
    )
    valid_from = models.DateField(
        _("valid from"),
        help_text=_(
            "The first day the agreement applies: editions starting from then are covered."
        ),
    )
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until retired.")
    )
    renewal_and_termination = models.TextField(
        _("renewal and termination"),
        blank=True,
        help_text=_("How the agreement is renewed, amended or terminated, and the notice."),
    )
    contact = models.CharField(
        _("recognition office contact"),
        max_length=255,
        blank=True,
        help_text=_("Where learners and partners send questions (office, e-mail)."),
    )
    signatories = models.TextField(
        _("signatories"),
        blank=True,
        help_text=_("Who signs for each party (name, role), one per line."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The user who approved this version."),
    )
    approved_by_name = models.CharField(
        _("approved by"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("Who approved it, as shown on the agreement (a person or an API token)."),
    )
    approved_at = models.DateTimeField(
        _("approved at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this version was approved; it cannot be changed afterwards."),
    )
    retired_at = models.DateTimeField(
        _("retired at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this version was retired."),
    )
    created = models.DateTimeField(
        _("created"),
        auto_now_add=True,
        help_text=_("When the record was created."),
    )
    modified = models.DateTimeField(
        _("modified"),
        auto_now=True,
        help_text=_("When the record was last saved."),
    )

    objects = AgreementQuerySet.as_manager()

    # The only fields a transition may write on an approved or retired version.
    TRANSITION_FIELDS = frozenset({"status", "retired_at", "modified"})

    class Meta:
        verbose_name = _("recognition agreement")
        verbose_name_plural = _("recognition agreements")
        ordering = ["institution__name", "title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="agreement_version_once"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs):
        if self.pk and self.is_locked_in_database():
            changing = set(kwargs.get("update_fields") or ())
            if not changing or not changing <= self.TRANSITION_FIELDS:
                raise ValidationError(
                    _("An approved agreement cannot be changed; create a new version.")
                )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("recognition:agreement", args=[self.pk])

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})

    def is_locked_in_database(self) -> bool:
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return stored not in (None, self.Status.DRAFT)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    VALIDITY_LABELS = {
        "draft": _("draft"),
        "retired": _("retired"),
        "not-yet-valid": _("not yet valid"),
        "in-force": _("in force"),
        "expired": _("expired"),
    }

    def validity(self, on: date | None = None) -> str:
        """On a day: 'draft', 'retired', 'not-yet-valid', 'in-force' or 'expired'."""
        on = on or timezone.localdate()
        if self.status != self.Status.APPROVED:
            return self.status
        if on < self.valid_from:
            return "not-yet-valid"
        if self.valid_until and on > self.valid_until:
            return "expired"
        return "in-force"

    def validity_label(self, on: date | None = None) -> str:
        return self.VALIDITY_LABELS[self.validity(on)]

    def covers_edition(self, edition) -> bool:
        """Whether a learner of this edition is covered: its start falls within the validity.

        The agreement recognises the micro-credential; its dates decide which runs of it count,
        as MCRA agreements are signed for the offerings of a period. An edition that starts any
        time is covered as long as the agreement is."""
        if edition.any_start_date or edition.start_date is None:
            return True
        return self.valid_from <= edition.start_date and (
            self.valid_until is None or edition.start_date <= self.valid_until
        )


class AgreementItem(OpportunityReference, models.Model):
    """One learning opportunity an agreement recognises: toward what, for how many ECTS, and
    under which conditions (the MCRA's list of recognised opportunities and its constraints)."""

    class Target(models.TextChoices):
        COURSE = "course", _("a named course")
        MODULE = "module", _("a module")
        ELECTIVE = "elective", _("elective credits of a programme")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="items",
        help_text=_("The agreement version that lists this learning opportunity."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("Order in the list; lower comes first."),
    )
    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.PROTECT,
        related_name="agreement_items",
        help_text=_("The catalogue's learning opportunity that is recognised."),
    )
    target_kind = models.CharField(
        _("recognised as"),
        max_length=10,
        choices=Target.choices,
        default=Target.ELECTIVE,
        help_text=_(
            "What the learner gets at the recognising institution: a named course, a module, or "
            "elective credits of a programme."
        ),
    )
    target_title = models.CharField(
        _("toward"),
        max_length=255,
        help_text=_(
            "The course or module it replaces, or the programme whose elective credits it gives."
        ),
    )
    target_code = models.CharField(
        _("course code"), max_length=50, blank=True, help_text=_("The home institution's code.")
    )
    ects = models.DecimalField(
        _("ECTS recognised"), help_text=_("Credits awarded on recognition."), **CREDITS
    )
    recognition_mode = models.CharField(
        _("recognition mode"),
        max_length=12,
        choices=RecognitionMode.choices,
        default=RecognitionMode.INDIVIDUAL,
        help_text=_(
            "Whether it is recognised on its own, only stacked with other micro-credentials, or "
            "either way."
        ),
    )
    requires_passed_assessment = models.BooleanField(
        _("passed assessment required"),
        default=True,
        help_text=_("The learner must have passed the assessment, not only taken part."),
    )
    requires_identity_verification = models.BooleanField(
        _("identity-verified assessment required"),
        default=False,
        help_text=_("The assessment must have been taken with the learner's identity checked."),
    )
    minimum_grade = models.CharField(
        _("minimum grade"), max_length=50, blank=True, help_text=_("E.g. '24/30' or 'B'.")
    )
    max_credential_age_months = models.PositiveSmallIntegerField(
        _("maximum age of the credential (months)"),
        null=True,
        blank=True,
        help_text=_("Credentials older than this are not recognised; empty: no limit."),
    )
    grade_policy = models.CharField(
        _("grade"),
        max_length=8,
        choices=GradePolicy.choices,
        default=GradePolicy.GRADED,
        help_text=_(
            "Whether the credits carry a converted grade, or are recorded as passed without one "
            "(as when the assessor is not the institution's staff)."
        ),
    )
    note = models.TextField(
        _("further conditions"),
        blank=True,
        help_text=_(
            "Any other condition, e.g. a language requirement or the proof required (a European "
            "Digital Credential with an e-seal)."
        ),
    )

    class Meta:
        verbose_name = _("recognised learning opportunity")
        verbose_name_plural = _("recognised learning opportunities")
        ordering = ["agreement", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity} → {self.target_title}"

    def save(self, *args, **kwargs):
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def clean(self):
        if self.ects is None:
            return
        awarded = self.opportunity.ects_credits if self.opportunity_id else None
        cap = self.agreement.max_ects_per_learner
        if awarded is not None and self.ects > awarded:
            raise ValidationError({"ects": more_than_awarded(awarded)})
        if cap is not None and self.ects > cap:
            raise ValidationError(
                {
                    "ects": _("More than the agreement's maximum per learner (%(cap)s ECTS).")
                    % {"cap": floatformat(cap, -2)}
                }
            )

    def _refuse_if_locked(self):
        if self.agreement.is_locked_in_database():
            raise ValidationError(
                _("An approved agreement cannot be changed; create a new version.")
            )

    def conditions(self) -> list[str]:
        """The conditions in words, as the learner page and the agreement document show them."""
        conditions = []
        if self.requires_passed_assessment:
            conditions.append(_("the assessment is passed"))
        if self.requires_identity_verification:
            conditions.append(_("the assessment was taken with identity verification"))
        if self.minimum_grade:
            conditions.append(_("minimum grade %(grade)s") % {"grade": self.minimum_grade})
        if self.max_credential_age_months:
            conditions.append(
                _("the credential is at most %(months)s months old")
                % {"months": self.max_credential_age_months}
            )
        conditions.append(str(self.get_grade_policy_display()))
        if self.note:
            conditions.append(self.note)
        return conditions
