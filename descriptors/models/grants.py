"""Funding a learner can apply for to follow a micro-credential (a grant, a scholarship, a
subsidised place): ELM ``LearningOpportunity.grant``."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from descriptors.models.base import history_user
from descriptors.models.opportunities import LearningOpportunity


class Grant(models.Model):
    """A grant or subsidy for the micro-credential's learners (ELM ``Grant``: ``title``,
    ``description``, ``supplementaryDocument``)."""

    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.CASCADE,
        related_name="grants",
        help_text=_("The opportunity this funding is for."),
    )
    title = models.CharField(
        _("grant"),
        max_length=300,
        help_text=_("Its name, e.g. 'Regional training voucher' or 'Erasmus+ scholarship'."),
    )
    description = models.TextField(
        _("who can get it"),
        blank=True,
        help_text=_("Who is eligible, what it covers and how to apply."),
    )
    homepage = models.URLField(
        _("web page"), max_length=500, blank=True, help_text=_("Where to read more or apply.")
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("grant or subsidy")
        verbose_name_plural = _("grants and subsidies")
        ordering = ["opportunity_id", "id"]

    def __str__(self) -> str:
        return self.title
