"""Recognition decisions (the MARTe pilot's questions, the Lisbon Recognition Convention's
substantial differences) and the institution's own courses they compare against.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity, Organisation
from recognition.models.agreements import Agreement
from recognition.models.common import (
    CREDITS,
    GradePolicy,
    InstitutionScopedQuerySet,
    OpportunityReference,
    RecognitionMode,
    more_than_awarded,
)
from taxonomies.models import EqfLevel, EscoSkill


class TargetCourse(models.Model):
    """A course at the recognising institution, described by its own outcomes and ESCO skills,
    to compare learning opportunities against (decision support only)."""

    institution = models.ForeignKey(
        Organisation,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="target_courses",
        help_text=_("The recognising institution that teaches the course."),
    )
    code = models.CharField(
        _("course code"),
        max_length=50,
        blank=True,
        help_text=_("The home institution's code."),
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("The course's title at the institution."),
    )
    programme = models.CharField(
        _("programme"),
        max_length=255,
        blank=True,
        help_text=_("The degree programme the course belongs to."),
    )
    ects = models.DecimalField(
        _("ECTS credits"),
        null=True,
        blank=True,
        **CREDITS,
        help_text=_("The course's credits, to compare workloads."),
    )
    eqf_level = models.ForeignKey(
        EqfLevel,
        verbose_name=_("EQF level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The course's level, to compare with the learning opportunity's."),
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
        help_text=_("The institution that assessed the learning opportunity."),
    )
    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.PROTECT,
        related_name="recognition_decisions",
        help_text=_("The catalogue's learning opportunity that was assessed."),
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
        help_text=_("The institution's course the opportunity was compared with, if any."),
    )
    terminology_appropriate = models.BooleanField(
        _("terminology of the outcomes appropriate"),
        null=True,
        blank=True,
        help_text=_(
            "Is the language of the learning outcomes appropriate for the academic sector?"
        ),
    )
    terminology_note = models.TextField(
        _("note on terminology"),
        blank=True,
        help_text=_("Why the terminology is or is not appropriate."),
    )
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
        help_text=_(
            "When the stated level is not appropriate: the level the learning outcomes show."
        ),
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
    differences_note = models.TextField(
        _("the differences in detail"),
        blank=True,
        help_text=_("What differs substantially, and why it matters, for each dimension chosen."),
    )
    outcome = models.CharField(
        _("decision"),
        max_length=10,
        choices=Outcome.choices,
        help_text=_(
            "Recognition is the rule: a refusal must show a substantial difference (Lisbon "
            "Recognition Convention)."
        ),
    )
    credits_recognised = models.DecimalField(
        _("ECTS recognised"),
        null=True,
        blank=True,
        **CREDITS,
        help_text=_("The ECTS credits granted; empty when refused."),
    )
    grade_policy = models.CharField(
        _("grade"),
        max_length=8,
        choices=GradePolicy.choices,
        blank=True,
        help_text=_(
            "Whether the credits carry a converted grade or are recorded as passed without one; "
            "empty when refused."
        ),
    )
    rationale = models.TextField(
        _("rationale"),
        help_text=_("The reasons for the decision, as the learner receives them."),
    )
    assessor = models.CharField(
        _("assessor"), max_length=255, help_text=_("Who assessed (name and role).")
    )
    decided_on = models.DateField(
        _("decided on"),
        default=timezone.localdate,
        help_text=_("The date of the decision."),
    )
    is_public = models.BooleanField(
        _("public precedent"),
        default=True,
        help_text=_("Public decisions are shown to other institutions' officers and in the API."),
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
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = _("A decision is recorded once taken: not a future date.")
        if self.opportunity_id:
            awarded = self.opportunity.ects_credits
            if (
                self.credits_recognised
                and awarded is not None
                and self.credits_recognised > awarded
            ):
                errors.setdefault("credits_recognised", more_than_awarded(awarded))
            if (
                self.agreement_id
                and "agreement" not in errors
                and (problem := self._agreement_problem())
            ):
                errors["agreement"] = problem
        if errors:
            raise ValidationError(errors)

    def _agreement_problem(self) -> str:
        """Why the chosen agreement cannot be what this decision applied, if it cannot."""
        agreement = self.agreement
        if agreement.status == Agreement.Status.DRAFT:
            return _("This agreement is a draft: it recognises nothing until it is approved.")
        if not agreement.items.filter(opportunity_id=self.opportunity_id).exists():
            return _("This agreement does not list this learning opportunity.")
        if (
            agreement.retired_at
            and self.decided_on
            and self.decided_on > timezone.localdate(agreement.retired_at)
        ):
            return _("This agreement was retired on %(date)s, before the decision.") % {
                "date": date_format(timezone.localdate(agreement.retired_at))
            }
        return ""

    def difference_labels(self) -> list[str]:
        names = dict(self.Difference.choices)
        return [str(names.get(key, key)) for key in self.substantial_differences]
