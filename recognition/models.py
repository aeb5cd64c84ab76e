"""Recognition: credit recognition agreements (ECCOE MCRA), recognition decisions, target
courses for comparison, and stackable pathways.

The MCRA sections follow ``shared/domain/recognition.md`` §2.2 (parties, type and objective,
scope, recognised learning opportunities, credits and grades, conditions, process, quality
assurance, validity, signatures); decisions carry the MARTe pilot's questions (§4) and the
Lisbon Recognition Convention's substantial differences (§5).
"""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity, Organisation, OrganisationScopedQuerySet
from taxonomies.models import Concept, EqfLevel, EscoSkill, Scheme

CREDITS = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.5"))]}


class RecognitionMode(models.TextChoices):
    INDIVIDUAL = "individual", _("individually")
    CUMULATIVE = "cumulative", _("cumulatively (stacked with others)")
    BOTH = "both", _("individually or cumulatively")


class GradePolicy(models.TextChoices):
    GRADED = "graded", _("recorded with a converted grade")
    PASS_WITHOUT_GRADE = "pass", _("recorded as passed, without a grade")


class InstitutionScopedQuerySet(OrganisationScopedQuerySet):
    """Records of a recognising institution: an officer sees and edits their institutions'."""

    organisation_field = "institution"


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
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
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
    valid_from = models.DateField(_("valid from"))
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
    )
    approved_by_name = models.CharField(
        _("approved by"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("Who approved it, as shown on the agreement (a person or an API token)."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

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


class OpportunityReference:
    """A record that names a catalogue opportunity. Public pages, documents and the API show
    the opportunity only while it is published: an archived or unpublished one is "no longer
    offered", and its title (which its provider may have changed since) is not shown."""

    @property
    def offered_opportunity(self) -> LearningOpportunity | None:
        opportunity = self.opportunity
        return opportunity if opportunity.status == LearningOpportunity.Status.PUBLISHED else None


class AgreementItem(OpportunityReference, models.Model):
    """One learning opportunity an agreement recognises: toward what, for how many ECTS, and
    under which conditions (the MCRA's list of recognised opportunities and its constraints)."""

    class Target(models.TextChoices):
        COURSE = "course", _("a named course")
        MODULE = "module", _("a module")
        ELECTIVE = "elective", _("elective credits of a programme")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.PROTECT,
        related_name="agreement_items",
        help_text=_("The catalogue's learning opportunity that is recognised."),
    )
    target_kind = models.CharField(
        _("recognised as"), max_length=10, choices=Target.choices, default=Target.ELECTIVE
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
    )
    requires_passed_assessment = models.BooleanField(_("passed assessment required"), default=True)
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
        _("grade"), max_length=8, choices=GradePolicy.choices, default=GradePolicy.GRADED
    )
    note = models.TextField(_("further conditions"), blank=True)

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


class TargetCourse(models.Model):
    """A course at the recognising institution, described by its own outcomes and ESCO skills,
    to compare learning opportunities against (decision support only)."""

    institution = models.ForeignKey(
        Organisation,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="target_courses",
    )
    code = models.CharField(_("course code"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=255)
    programme = models.CharField(_("programme"), max_length=255, blank=True)
    ects = models.DecimalField(_("ECTS credits"), null=True, blank=True, **CREDITS)
    eqf_level = models.ForeignKey(
        EqfLevel,
        verbose_name=_("EQF level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One learning outcome per line.")
    )
    skills = models.ManyToManyField(
        EscoSkill,
        verbose_name=_("ESCO skills"),
        blank=True,
        related_name="+",
        help_text=_("The skills the course's outcomes refer to: the comparison uses them."),
    )

    objects = InstitutionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("course at the institution")
        verbose_name_plural = _("courses at the institution")
        ordering = ["institution__name", "title"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def outcome_lines(self) -> list[str]:
        return [line.strip() for line in self.outcomes.splitlines() if line.strip()]


class DecisionQuerySet(InstitutionScopedQuerySet):
    def public(self) -> "DecisionQuerySet":
        return self.filter(is_public=True)


class RecognitionDecision(OpportunityReference, models.Model):
    """An institution's assessment of one learning opportunity, with or without an agreement
    (the MARTe pilot's questions; substantial differences in the sense of the Lisbon
    Recognition Convention). Public decisions are precedents other officers can search."""

    class Outcome(models.TextChoices):
        RECOGNISED = "recognised", _("recognised")
        PARTIALLY = "partial", _("partially recognised")
        REFUSED = "refused", _("not recognised")

    class Difference(models.TextChoices):
        LEVEL = "level", _("level (EQF / cycle)")
        WORKLOAD = "workload", _("workload / credits")
        OUTCOMES = "outcomes", _("learning outcomes / profile")
        QUALITY = "quality", _("quality assurance of the provider")
        ASSESSMENT = "assessment", _("assessment and identity verification")

    institution = models.ForeignKey(
        Organisation,
        verbose_name=_("recognising institution"),
        on_delete=models.PROTECT,
        related_name="recognition_decisions",
    )
    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.PROTECT,
        related_name="recognition_decisions",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("under agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        help_text=_("Empty when the opportunity was assessed without an agreement."),
    )
    target_course = models.ForeignKey(
        TargetCourse,
        verbose_name=_("compared with course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    terminology_appropriate = models.BooleanField(
        _("terminology of the outcomes appropriate"),
        null=True,
        blank=True,
        help_text=_(
            "Is the language of the learning outcomes appropriate for the academic sector?"
        ),
    )
    terminology_note = models.TextField(_("note on terminology"), blank=True)
    level_appropriate = models.BooleanField(
        _("EQF level appropriate"),
        null=True,
        blank=True,
        help_text=_("Is the stated EQF level appropriate, given the learning outcomes?"),
    )
    proposed_eqf_level = models.ForeignKey(
        EqfLevel,
        verbose_name=_("EQF level the officer would give"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recognition_mode = models.CharField(
        _("recognised how"),
        max_length=12,
        choices=RecognitionMode.choices,
        blank=True,
        help_text=_("Individually, cumulatively (stacked) or both; empty when refused."),
    )
    recognised_for = models.CharField(
        _("for which courses"),
        max_length=255,
        blank=True,
        help_text=_("E.g. 'as an elective course' or a course code."),
    )
    substantial_differences = models.JSONField(
        _("substantial differences found"),
        default=list,
        blank=True,
        help_text=_("The dimensions where a substantial difference was shown."),
    )
    differences_note = models.TextField(_("the differences in detail"), blank=True)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    credits_recognised = models.DecimalField(_("ECTS recognised"), null=True, blank=True, **CREDITS)
    grade_policy = models.CharField(
        _("grade"), max_length=8, choices=GradePolicy.choices, blank=True
    )
    rationale = models.TextField(_("rationale"))
    assessor = models.CharField(
        _("assessor"), max_length=255, help_text=_("Who assessed (name and role).")
    )
    decided_on = models.DateField(_("decided on"), default=timezone.localdate)
    is_public = models.BooleanField(
        _("public precedent"),
        default=True,
        help_text=_("Public decisions are shown to other institutions' officers and in the API."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.institution}: {self.opportunity} ({self.get_outcome_display()})"

    def clean(self):
        errors = {}
        unknown = set(self.substantial_differences or []) - set(self.Difference.values)
        if unknown:
            errors["substantial_differences"] = _("Unknown dimension: %(names)s.") % {
                "names": ", ".join(sorted(map(str, unknown)))
            }
        if self.outcome == self.Outcome.REFUSED:
            # Lisbon Recognition Convention: recognition is the rule; a refusal must show
            # a substantial difference.
            if not self.substantial_differences:
                errors["substantial_differences"] = _(
                    "A refusal must name at least one substantial difference."
                )
            if self.credits_recognised:
                errors["credits_recognised"] = _("A refusal recognises no credits.")
            if self.recognition_mode:
                errors["recognition_mode"] = _("Leave empty when the decision is a refusal.")
        elif self.outcome:
            if not self.credits_recognised:
                errors["credits_recognised"] = _("Give the ECTS credits recognised.")
            if not self.recognition_mode:
                errors["recognition_mode"] = _(
                    "Say whether it is recognised individually, cumulatively or both."
                )
        if (
            self.agreement_id
            and self.institution_id
            and self.agreement.institution_id != self.institution_id
        ):
            errors["agreement"] = _("Choose one of the institution's own agreements.")
        if (
            self.target_course_id
            and self.institution_id
            and self.target_course.institution_id != self.institution_id
        ):
            errors["target_course"] = _("Choose one of the institution's own courses.")
        if errors:
            raise ValidationError(errors)

    def difference_labels(self) -> list[str]:
        names = dict(self.Difference.choices)
        return [str(names.get(key, key)) for key in self.substantial_differences]


class PathwayQuerySet(InstitutionScopedQuerySet):
    organisation_field = "owner"

    def published(self) -> "PathwayQuerySet":
        return self.filter(is_published=True)


class Pathway(models.Model):
    """A stackable pathway: learning opportunities that cumulate toward a larger credential
    (Annex I "integration/stackability options"; ELM ``hasPart``). Totals are computed from
    the steps, never typed in."""

    class Rule(models.TextChoices):
        ALL = "all", _("all of the steps")
        N_OF_M = "n-of-m", _("a number of the steps")

    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("maintained by"),
        on_delete=models.CASCADE,
        related_name="pathways",
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    target_credential = models.CharField(
        _("leads to"),
        max_length=255,
        help_text=_("The larger credential the steps cumulate toward."),
    )
    awarding_body = models.ForeignKey(
        Organisation,
        verbose_name=_("awarded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.CharField(_("to complete"), max_length=8, choices=Rule.choices, default=Rule.ALL)
    required_count = models.PositiveSmallIntegerField(
        _("how many steps"),
        null=True,
        blank=True,
        help_text=_("With 'a number of the steps': how many must be completed (N of M)."),
    )
    minimum_ects = models.DecimalField(
        _("minimum total ECTS"),
        null=True,
        blank=True,
        help_text=_("The completed steps must add up to at least this many credits."),
        **CREDITS,
    )
    is_ordered = models.BooleanField(
        _("in order"), default=False, help_text=_("The steps must be completed in order.")
    )
    is_published = models.BooleanField(_("published"), default=False)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = _("stackable pathway")
        verbose_name_plural = _("stackable pathways")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("recognition:pathway", args=[self.pk])

    def clean(self):
        if self.rule == self.Rule.N_OF_M and not self.required_count:
            raise ValidationError({"required_count": _("Say how many steps must be completed.")})
        if self.rule == self.Rule.ALL and self.required_count:
            raise ValidationError(
                {"required_count": _("Only a pathway of 'a number of the steps' takes a count.")}
            )


class PathwayStep(OpportunityReference, models.Model):
    """One learning opportunity on a pathway, in its place."""

    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.PROTECT,
        related_name="pathway_steps",
    )
    is_required = models.BooleanField(
        _("required"),
        default=False,
        help_text=_("With 'a number of the steps': this step must be among those completed."),
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["pathway", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "opportunity"], name="pathway_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.opportunity}"
