"""What a micro-credential teaches and how: its learning outcomes with their ESCO skills, the
assessments that prove them and the activities that lead to them."""

import re

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from descriptors.models.base import history_user, in_scheme, visitor_language
from descriptors.models.opportunities import LearningOpportunity
from taxonomies.models import Concept, EscoSkill, Scheme


class LearningOutcome(models.Model):
    """An intended learning outcome (ECCOE 22, Annex I 6) linked to ESCO skills (ECCOE 23).

    ELM ``LearningOutcome`` (``title``, ``relatedESCOSkill``).
    """

    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.CASCADE,
        related_name="outcomes",
        help_text=_("The opportunity whose intended outcome this is."),
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Outcomes are listed by this number, lowest first.")
    )
    title = models.TextField(
        _("learning outcome"),
        help_text=_("What the learner can do after it, in the default language: 'Analyse ...'."),
    )
    title_translations = models.JSONField(
        _("in other languages"),
        default=dict,
        blank=True,
        help_text=_("The outcome in other languages, keyed by ISO 639-1 code."),
    )
    skills = models.ManyToManyField(
        EscoSkill,
        verbose_name=_("ESCO skills"),
        blank=True,
        related_name="outcomes",
        help_text=_("ECCOE 23: the ESCO skills, knowledge or competences this outcome develops."),
    )

    history = HistoricalRecords(m2m_fields=[skills], get_user=history_user)

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["opportunity_id", "position", "id"]

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def localized_title(self) -> str:
        return self.title_translations.get(visitor_language()) or self.title


IDENTITY_VERIFIED_CODE = re.compile(r"(?<!no)-id$")


class Assessment(models.Model):
    """How the outcomes are assessed (ECCOE 25, Annex I 9 and 13).

    ELM ``LearningAssessmentSpecification`` (``dc:type``, ``mode``, ``gradingScheme``); the
    supervision is the default of ELM ``LearningAssessment.idVerification``.
    """

    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.CASCADE,
        related_name="assessments",
        help_text=_("The opportunity whose outcomes this assesses."),
    )
    title = models.CharField(
        _("title"), max_length=255, help_text=_("A short name, e.g. 'Final project'.")
    )
    assessment_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of assessment"),
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.ASSESSMENT_TYPE),
        related_name="+",
        help_text=_("Annex I 9: e.g. written examination, project work, portfolio."),
    )
    mode = models.ForeignKey(
        Concept,
        verbose_name=_("mode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.MODE),
        related_name="+",
        help_text=_("How learners take part: online, on site, blended, work-based..."),
    )
    supervision = models.ForeignKey(
        Concept,
        verbose_name=_("supervision and identity verification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.SUPERVISION),
        related_name="+",
        help_text=_(
            "Annex I 13: whether someone supervises the assessment and checks the learner's "
            "identity, online or on site."
        ),
    )
    grading_scheme = models.CharField(
        _("grading scheme"),
        max_length=255,
        blank=True,
        help_text=_("E.g. 'pass/fail' or '18-30 (Italian university scale)'."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What learners hand in or do, and how it is marked."),
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["opportunity_id", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def identity_verified(self) -> bool:
        """Whether the learner's identity is checked when the assessment is taken: the
        supervision codes that say so end in "-id" ("supervised-online-id"); "...-no-id" do not."""
        return bool(self.supervision and IDENTITY_VERIFIED_CODE.search(self.supervision.code))


class Activity(models.Model):
    """What a learner does to reach the outcomes (ECCOE 24; ELM LearningActivitySpecification).

    Part of Annex I 10 (form of participation); its hours are the activity's ELM
    ``volumeOfLearning``.
    """

    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.CASCADE,
        related_name="activities",
        help_text=_("The opportunity this activity belongs to."),
    )
    title = models.CharField(
        _("title"), max_length=255, help_text=_("A short name, e.g. 'Weekly lectures'.")
    )
    activity_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.ACTIVITY_TYPE),
        related_name="+",
        help_text=_(
            "ECCOE 24: e.g. classroom coursework, e-learning coursework, workshop, "
            "self-motivated study."
        ),
    )
    mode = models.ForeignKey(
        Concept,
        verbose_name=_("mode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.MODE),
        related_name="+",
        help_text=_("How learners take part: online, on site, blended, work-based..."),
    )
    hours = models.PositiveIntegerField(
        _("hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Whole hours a learner spends on it, part of the workload in hours."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What learners do in it.")
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["opportunity_id", "id"]

    def __str__(self) -> str:
        return self.title
