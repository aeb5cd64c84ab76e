"""Stackable pathways: learning opportunities that cumulate toward a larger credential."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity, Organisation
from recognition.models.common import CREDITS, InstitutionScopedQuerySet, OpportunityReference


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
        help_text=_("The organisation that maintains the pathway."),
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("The pathway's name, as learners see it."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the pathway leads to and whom it is for."),
    )
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
        help_text=_(
            "The organisation that awards the larger credential, when it is not the one that "
            "maintains the pathway."
        ),
    )
    rule = models.CharField(
        _("to complete"),
        max_length=8,
        choices=Rule.choices,
        default=Rule.ALL,
        help_text=_("Complete every step, or a number of them (N of M)."),
    )
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
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Published pathways are shown on the public pages and in the API."),
    )
    modified = models.DateTimeField(
        _("modified"),
        auto_now=True,
        help_text=_("When the record was last saved."),
    )

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
        Pathway,
        verbose_name=_("pathway"),
        on_delete=models.CASCADE,
        related_name="steps",
        help_text=_("The pathway the step belongs to."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("The step's place: an ordered pathway is completed in this order."),
    )
    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.PROTECT,
        related_name="pathway_steps",
        help_text=_("The catalogue's learning opportunity taken at this step."),
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
