"""Who offers, hosts and awards micro-credentials, who acts for them, and the records each may
edit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from descriptors.models.base import in_scheme
from taxonomies.models import Concept, Scheme


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user) -> "OrganisationQuerySet":
        """The organisations a user may act for: all for superusers, else their memberships."""
        if user.is_superuser:
            return self
        return self.filter(members__user=user)


class Organisation(models.Model):
    """A provider, host platform or awarding body (ELM ``Organisation``; ECCOE criteria 4-6)."""

    name = models.CharField(
        _("name"),
        max_length=255,
        unique=True,
        help_text=_("The organisation's name as learners know it."),
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=255,
        blank=True,
        help_text=_("Registered legal name (ELM legalName), if different from the name."),
    )
    legal_identifier = models.CharField(
        _("legal identifier"),
        max_length=100,
        blank=True,
        help_text=_(
            "The identifier under which the organisation is registered in its country (ELM "
            "legalIdentifier): e.g. a VAT number, a business register number or an Erasmus "
            "code. The registration country is the country below."
        ),
    )
    provider_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of provider"),
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.PROVIDER_TYPE),
        related_name="+",
        help_text=_(
            "ECCOE criterion 6: e.g. higher education institution, VET provider, MOOC platform."
        ),
    )
    country = models.ForeignKey(
        Concept,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.COUNTRY),
        related_name="+",
        help_text=_("Country of the organisation's seat; Annex I element 3 for awarding bodies."),
    )
    city = models.CharField(
        _("city"),
        max_length=120,
        blank=True,
        help_text=_("The town or city of the seat, in its local name, e.g. Milano."),
    )
    website = models.URLField(_("website"), blank=True, help_text=_("Home page, https://..."))
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("A few sentences for learners: who you are, what you offer (provider page)."),
    )
    created = models.DateTimeField(
        _("created"), auto_now_add=True, help_text=_("When the record was created; set by OCLO.")
    )
    modified = models.DateTimeField(
        _("modified"), auto_now=True, help_text=_("When the record last changed; set by OCLO.")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """A user who acts for an organisation: provider staff (and, later, recognition officers).

    No ECCOE criterion or ELM class: who may edit an organisation's records is OCLO's own rule.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        help_text=_("The person's account: they see and edit the organisation's records."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="members",
        help_text=_("The organisation the person acts for."),
    )

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class OrganisationScopedQuerySet(models.QuerySet):
    """Records that belong to an organisation (``organisation_field``)."""

    organisation_field = "provider"

    def for_user(self, user):
        """What a user may see and edit: their organisations' records only (all for
        superusers)."""
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.organisation_field}__members__user": user})
