"""What agreements, decisions and pathways share: credit amounts, how a recognition counts
and records the grade, records scoped to the recognising institution, and how a record
names a catalogue opportunity.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity, OrganisationScopedQuerySet

CREDITS = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.5"))]}


def more_than_awarded(awarded: Decimal) -> str:
    """The error of credits recognised beyond what the learning opportunity awards."""
    return _("More than the %(ects)s ECTS the learning opportunity awards.") % {
        "ects": floatformat(awarded, -2)
    }


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


class OpportunityReference:
    """A record that names a catalogue opportunity. Public pages, documents and the API show
    the opportunity only while it is published: an archived or unpublished one is "no longer
    offered", and its title (which its provider may have changed since) is not shown."""

    @property
    def offered_opportunity(self) -> LearningOpportunity | None:
        opportunity = self.opportunity
        return opportunity if opportunity.status == LearningOpportunity.Status.PUBLISHED else None
