"""What a learning opportunity is: the ECCOE descriptor set plus the Annex I elements ECCOE lacks.

``LearningOpportunity`` is the micro-credential as designed once (ELM's
``LearningAchievementSpecification`` and what every offering shares); its ``editions`` are the
offerings over time (ELM ``LearningOpportunity``: dates, fees, places). Outcomes, activities,
assessments and editions are child tables (decision 0012).
"""

import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from taxonomies.models import (
    Concept,
    EqfLevel,
    EscoSkill,
    IscedField,
    NqfLevel,
    QnqSublevel,
    Scheme,
)

ISO_8601_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$"
)


def validate_iso_duration(value: str) -> None:
    if value and not ISO_8601_DURATION.match(value):
        raise ValidationError(
            _("Enter an ISO 8601 duration such as P4M (4 months), P6W (6 weeks) or P1Y."),
            code="invalid_duration",
        )


def _concepts(scheme: Scheme) -> dict:
    return {"scheme": scheme}


def _history_user(request=None, **kwargs):
    """Who made a change, for the history: a person, or nobody for a system writing through
    the API (see ``_history_names_the_system``)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) else None


def history_system_writer() -> str:
    """The system writing in this request (an API token and its organisation), if it is one:
    no user to link, so history entries name it as their change reason instead."""
    request = getattr(HistoricalRecords.context, "request", None)
    writer = getattr(request, "user", None)
    if writer is not None and writer.is_authenticated and not isinstance(writer, get_user_model()):
        return str(writer)[:100]
    return ""


@receiver(pre_create_historical_record)
def _history_names_the_system(sender, history_instance, **kwargs):
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = history_system_writer()


def _visitor_language() -> str:
    return (get_language() or "en").split("-")[0]


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
    provider_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of provider"),
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.PROVIDER_TYPE),
        related_name="+",
        help_text=_(
            "ECCOE criterion 6: e.g. higher education institution, VET provider, MOOC platform."
        ),
    )
    country = models.ForeignKey(
        Concept,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.COUNTRY),
        related_name="+",
        help_text=_("Country of the organisation's seat; Annex I element 3 for awarding bodies."),
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True, help_text=_("Home page, https://..."))
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("A few sentences for learners: who you are, what you offer (provider page)."),
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """A user who acts for an organisation: provider staff (and, later, recognition officers)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="members",
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


def _edition_prefetch() -> tuple:
    """What showing the editions needs: their own vocabularies, in three queries (the effective
    values fall back on the opportunity's, which are prefetched beside these)."""
    editions = Edition.objects.select_related("currency", "learning_schedule")
    return (Prefetch("editions", editions), "editions__modes", "editions__languages")


class LearningOpportunityQuerySet(OrganisationScopedQuerySet):
    def published(self) -> "LearningOpportunityQuerySet":
        return self.filter(status=LearningOpportunity.Status.PUBLISHED)

    def with_card_data(self) -> "LearningOpportunityQuerySet":
        """Everything a list card shows, in a fixed number of queries."""
        return self.select_related(
            "provider__country", "eqf_level", "opportunity_type"
        ).prefetch_related(
            "isced_fields",
            "languages",
            "modes",
            "translations__language",
            *_edition_prefetch(),
        )

    def with_template_data(self) -> "LearningOpportunityQuerySet":
        """Everything a row of the spreadsheet template holds."""
        return self.select_related(
            "opportunity_type", "default_language", "credential_type"
        ).prefetch_related(
            "languages",
            "countries",
            "modes",
            "isced_fields",
            "outcomes__skills",
            *_edition_prefetch(),
        )

    def with_detail_data(self) -> "LearningOpportunityQuerySet":
        """Every descriptor the detail page and the exports show.

        Few joins on purpose: past about ten, PostgreSQL spends longer planning the query
        than running it, so the small vocabulary look-ups are prefetched instead.
        """
        return self.select_related(
            "provider__country",
            "provider__provider_type",
            "default_language",
            "eqf_level",
        ).prefetch_related(
            "opportunity_type",
            "hosted_by",
            "learning_setting",
            "credit_system",
            "credential_type",
            "nqf_level__framework",
            "nqf_level__eqf_level",
            "quality_assurance_type",
            "co_providers",
            "awarding_bodies__country",
            "languages",
            "countries",
            "modes",
            "target_groups",
            "isced_fields__parent__parent",
            "translations__language",
            "outcomes__skills__labels",
            "assessments__assessment_type",
            "assessments__mode",
            "assessments__supervision",
            "activities__activity_type",
            "activities__mode",
            *_edition_prefetch(),
        )


class LearningOpportunity(models.Model):
    """A learning opportunity with the ECCOE descriptors (criteria 1-25) and Annex I elements.

    Maps to ELM ``LearningOpportunity`` + its ``LearningAchievementSpecification``.
    Text fields hold the default language; other languages live in ``translations``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    # Identification
    provider_reference = models.CharField(
        _("provider's identifier"),
        max_length=100,
        blank=True,
        help_text=_("Your own code for this opportunity; imports use it to update, not duplicate."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=_("Only published opportunities are shown in the public catalogue."),
    )
    # 1-3
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_(
            "ECCOE 1 / Annex I 2: the name of the learning opportunity, in its default language."
        ),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("ECCOE 2: a summary of the learning opportunity."),
    )
    opportunity_type = models.ForeignKey(
        Concept,
        verbose_name=_("learning opportunity type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.LEARNING_OPPORTUNITY_TYPE),
        related_name="+",
        help_text=_("ECCOE 3: the delivery format, e.g. course, programme module, MOOC."),
    )
    # 4-7
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provided by"),
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text=_(
            "ECCOE 4: the institution responsible for offering it; its staff maintain this record."
        ),
    )
    co_providers = models.ManyToManyField(
        Organisation,
        verbose_name=_("co-providers"),
        blank=True,
        related_name="co_provided",
        help_text=_("Other institutions that offer it jointly."),
    )
    hosted_by = models.ForeignKey(
        Organisation,
        verbose_name=_("hosted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted",
        help_text=_("ECCOE 5: the platform that hosts it, e.g. a MOOC platform."),
    )
    awarding_bodies = models.ManyToManyField(
        Organisation,
        verbose_name=_("awarding bodies"),
        blank=True,
        related_name="awarded",
        help_text=_("Annex I 4: who issues the micro-credential, if not (only) the provider."),
    )
    location = models.CharField(
        _("provided at"),
        max_length=255,
        blank=True,
        help_text=_("ECCOE 7: address or place, or 'online' with the platform."),
    )
    countries = models.ManyToManyField(
        Concept,
        verbose_name=_("countries"),
        blank=True,
        related_name="+",
        limit_choices_to=_concepts(Scheme.COUNTRY),
        help_text=_("ECCOE 7: countries where it is provided."),
    )
    homepage = models.URLField(
        _("web page"),
        blank=True,
        help_text=_("The page where learners find out more and enrol (ELM homepage, mandatory)."),
    )
    # 8
    languages = models.ManyToManyField(
        Concept,
        verbose_name=_("languages of instruction"),
        related_name="+",
        limit_choices_to=_concepts(Scheme.LANGUAGE),
        help_text=_("ECCOE 8: the teaching language(s)."),
    )
    default_language = models.ForeignKey(
        Concept,
        verbose_name=_("default language"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_concepts(Scheme.LANGUAGE),
        help_text=_("The language of the title, description and outcomes typed on this form."),
    )
    # 12, 17
    workload_hours = models.PositiveIntegerField(
        _("workload in hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("ECCOE 12 / Annex I 7: hours a learner needs to achieve the outcomes."),
    )
    ects_credits = models.DecimalField(
        _("ECTS credits"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("ECCOE 17: credits awarded, if any; fractions such as 0.5 are allowed."),
    )
    credit_system = models.ForeignKey(
        Concept,
        verbose_name=_("credit system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.CREDIT_SYSTEM),
        related_name="+",
        help_text=_("ECTS or ECVET; ECTS is assumed when credits are given."),
    )
    # 13-14
    admission_procedure = models.TextField(
        _("admission procedure"),
        blank=True,
        help_text=_("ECCOE 13: how to apply."),
    )
    entry_requirements = models.TextField(
        _("entry requirements"),
        blank=True,
        help_text=_("ECCOE 14 / Annex I 12 (prerequisites): what a learner must meet to start."),
    )
    target_groups = models.ManyToManyField(
        Concept,
        verbose_name=_("target groups"),
        blank=True,
        related_name="+",
        limit_choices_to=_concepts(Scheme.TARGET_GROUP),
    )
    # 16
    modes = models.ManyToManyField(
        Concept,
        verbose_name=_("mode of learning"),
        blank=True,
        related_name="+",
        limit_choices_to=_concepts(Scheme.MODE),
        help_text=_("ECCOE 16 / Annex I 10: online, blended, on site..."),
    )
    learning_setting = models.ForeignKey(
        Concept,
        verbose_name=_("learning setting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.LEARNING_SETTING),
        related_name="+",
        help_text=_("Annex I 10: formal or non-formal learning."),
    )
    # 18-21
    credential_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of credential"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.CREDENTIAL_TYPE),
        related_name="+",
        help_text=_("ECCOE 18: open badge, certificate, diploma, European Digital Credential..."),
    )
    isced_fields = models.ManyToManyField(
        IscedField,
        verbose_name=_("ISCED-F fields"),
        related_name="opportunities",
        help_text=_("ECCOE 19: the subject area(s), as ISCED-F 2013 fields."),
    )
    eqf_level = models.ForeignKey(
        EqfLevel,
        verbose_name=_("EQF level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text=_("ECCOE 20 / Annex I 8: level 1-8, if applicable."),
    )
    nqf_level = models.ForeignKey(
        NqfLevel,
        verbose_name=_("NQF level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text=_("ECCOE 21: the level in the provider's national framework."),
    )
    nqf_sublevel = models.PositiveSmallIntegerField(
        _("QNQ sub-level"),
        null=True,
        blank=True,
        choices=QnqSublevel.choices,
        help_text=_("Italy's QNQ only: 0 marks a micro-credential."),
    )
    # Annex I elements ECCOE does not list
    quality_assurance_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of quality assurance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.QUALITY_ASSURANCE),
        related_name="+",
        help_text=_("Annex I 11: what underpins the micro-credential."),
    )
    quality_assurance_note = models.TextField(
        _("quality assurance details"),
        blank=True,
        help_text=_("E.g. the body that evaluates the course."),
    )
    is_stackable = models.BooleanField(
        _("stackable"),
        default=False,
        help_text=_("Annex I 15: it can be combined into a larger credential."),
    )
    integration_options = models.TextField(
        _("integration and stackability options"),
        blank=True,
        help_text=_("Annex I 15: what it stacks into, or 'stand-alone'."),
    )
    further_information = models.TextField(
        _("further information"),
        blank=True,
        help_text=_("Annex I 16."),
    )

    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[isced_fields, languages, modes], get_user=_history_user)
    objects = LearningOpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("learning opportunity")
        verbose_name_plural = _("learning opportunities")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~models.Q(provider_reference=""),
                name="opportunity_unique_provider_reference",
                violation_error_message=_(
                    "This provider already has an opportunity with this identifier."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.nqf_sublevel is not None and not (
            self.nqf_level_id and self.nqf_level.framework.has_sublevels
        ):
            errors.setdefault("nqf_sublevel", []).append(
                _("Sub-levels exist only in frameworks that define them, such as Italy's QNQ.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def workload_warning(self) -> str:
        """A warning (not an error) when ECTS and hours disagree with 25-30 h per credit."""
        if not self.ects_credits or not self.workload_hours:
            return ""
        ects = Decimal(self.ects_credits)
        low = ects * settings.OCLO_HOURS_PER_ECTS_MIN
        high = ects * settings.OCLO_HOURS_PER_ECTS_MAX
        if low <= self.workload_hours <= high:
            return ""
        return _(
            "%(ects)s ECTS usually means %(low)s-%(high)s hours of work; %(hours)s hours were "
            "given. Check both values."
        ) % {
            "ects": f"{ects.normalize():f}",
            "low": int(low),
            "high": int(high),
            "hours": self.workload_hours,
        }

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def translation_for(self, language_code: str) -> "OpportunityTranslation | None":
        for translation in self.translations.all():
            if translation.language.short_code == language_code:
                return translation
        return None

    def localized(self, field: str, language_code: str | None = None) -> str:
        """The field in the visitor's language when translated, else in the default language."""
        translation = self.translation_for(language_code or _visitor_language())
        return (translation and getattr(translation, field)) or getattr(self, field)

    @property
    def localized_title(self) -> str:
        return self.localized("title")

    @property
    def localized_description(self) -> str:
        return self.localized("description")

    @cached_property
    def public_editions(self) -> list["Edition"]:
        """Published editions in date order (from the prefetched ``editions`` when there),
        read once per instance: a card asks for them many times."""
        return sorted(
            (edition for edition in self.editions.all() if edition.is_published),
            key=Edition.sort_key,
        )

    @cached_property
    def current_editions(self) -> list["Edition"]:
        """Published editions not yet over: those to come, then those running."""
        editions = [edition for edition in self.public_editions if not edition.is_past]
        return sorted(editions, key=lambda edition: not edition.is_upcoming)

    @cached_property
    def past_editions(self) -> list["Edition"]:
        """Published editions that ended or were cancelled, the latest first: the history."""
        return [edition for edition in reversed(self.public_editions) if edition.is_past]

    @property
    def next_edition(self) -> "Edition | None":
        """The edition a learner would join now: the next to start, else one running."""
        current = self.current_editions
        return current[0] if current else None

    @property
    def headline_edition(self) -> "Edition | None":
        """The edition a summary shows: the next one, else the latest that ran."""
        past = self.past_editions
        return self.next_edition or (past[0] if past else None)

    @property
    def more_editions_count(self) -> int:
        """How many other current editions there are besides the next one."""
        return max(len(self.current_editions) - 1, 0)


class EditionQuerySet(models.QuerySet):
    def published(self) -> "EditionQuerySet":
        return self.filter(is_published=True)


class Edition(models.Model):
    """One offering of a micro-credential: when it runs, what it costs, how many places.

    ELM ``LearningOpportunity`` (the micro-credential itself is the
    ``LearningAchievementSpecification`` side of ``LearningOpportunity``; decision 0012).
    Location, modes, languages and homepage left empty are the micro-credential's.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for applications")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    opportunity = models.ForeignKey(
        LearningOpportunity,
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
        limit_choices_to=_concepts(Scheme.LEARNING_SCHEDULE),
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
        limit_choices_to=_concepts(Scheme.CURRENCY),
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
        limit_choices_to=_concepts(Scheme.MODE),
        help_text=_("Only if this edition's modes differ from the micro-credential's."),
    )
    languages = models.ManyToManyField(
        Concept,
        verbose_name=_("languages of instruction"),
        blank=True,
        related_name="+",
        limit_choices_to=_concepts(Scheme.LANGUAGE),
        help_text=_("Only if this edition's languages differ from the micro-credential's."),
    )
    homepage = models.URLField(
        _("web page"),
        blank=True,
        help_text=_("This edition's own page for enrolment, if it has one."),
    )

    history = HistoricalRecords(m2m_fields=[modes, languages], get_user=_history_user)
    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["opportunity", "start_date", "id"]
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


class OpportunityTranslation(models.Model):
    """The multilingual descriptors of an opportunity in one more language (ELM langString)."""

    opportunity = models.ForeignKey(
        LearningOpportunity,
        on_delete=models.CASCADE,
        related_name="translations",
    )
    language = models.ForeignKey(
        Concept,
        verbose_name=_("language"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_concepts(Scheme.LANGUAGE),
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    admission_procedure = models.TextField(_("admission procedure"), blank=True)
    entry_requirements = models.TextField(_("entry requirements"), blank=True)
    further_information = models.TextField(_("further information"), blank=True)

    history = HistoricalRecords(get_user=_history_user)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "language"], name="translation_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language.code})"

    def clean(self) -> None:
        if self.opportunity_id and self.language_id == self.opportunity.default_language_id:
            raise ValidationError(
                {"language": _("This is the default language: edit the main fields instead.")}
            )


class LearningOutcome(models.Model):
    """An intended learning outcome (ECCOE 22, Annex I 6) linked to ESCO skills (ECCOE 23)."""

    opportunity = models.ForeignKey(
        LearningOpportunity,
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
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

    history = HistoricalRecords(m2m_fields=[skills], get_user=_history_user)

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["opportunity", "position", "id"]

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def localized_title(self) -> str:
        return self.title_translations.get(_visitor_language()) or self.title


IDENTITY_VERIFIED_CODE = re.compile(r"(?<!no)-id$")


class Assessment(models.Model):
    """How the outcomes are assessed (ECCOE 25, Annex I 9 and 13).

    ELM ``LearningAssessmentSpecification``.
    """

    opportunity = models.ForeignKey(
        LearningOpportunity,
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    title = models.CharField(_("title"), max_length=255)
    assessment_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of assessment"),
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.ASSESSMENT_TYPE),
        related_name="+",
        help_text=_("Annex I 9: e.g. written examination, project work, portfolio."),
    )
    mode = models.ForeignKey(
        Concept,
        verbose_name=_("mode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.MODE),
        related_name="+",
    )
    supervision = models.ForeignKey(
        Concept,
        verbose_name=_("supervision and identity verification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.SUPERVISION),
        related_name="+",
        help_text=_("Annex I 13."),
    )
    grading_scheme = models.CharField(
        _("grading scheme"),
        max_length=255,
        blank=True,
        help_text=_("E.g. 'pass/fail' or '18-30 (Italian university scale)'."),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(get_user=_history_user)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["opportunity", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def identity_verified(self) -> bool:
        """Whether the learner's identity is checked when the assessment is taken: the
        supervision codes that say so end in "-id" ("supervised-online-id"); "...-no-id" do not."""
        return bool(self.supervision and IDENTITY_VERIFIED_CODE.search(self.supervision.code))


class Activity(models.Model):
    """What a learner does to reach the outcomes (ECCOE 24; ELM LearningActivitySpecification)."""

    opportunity = models.ForeignKey(
        LearningOpportunity,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    title = models.CharField(_("title"), max_length=255)
    activity_type = models.ForeignKey(
        Concept,
        verbose_name=_("type of activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.ACTIVITY_TYPE),
        related_name="+",
    )
    mode = models.ForeignKey(
        Concept,
        verbose_name=_("mode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_concepts(Scheme.MODE),
        related_name="+",
    )
    hours = models.PositiveIntegerField(
        _("hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(get_user=_history_user)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["opportunity", "id"]

    def __str__(self) -> str:
        return self.title


class SpreadsheetImportQuerySet(OrganisationScopedQuerySet):
    def for_user(self, user) -> "SpreadsheetImportQuerySet":
        # Without the stored file: up to 20 MB, and a progress page reads its job every 2 s.
        return super().for_user(user).select_related("provider").defer("content")


class SpreadsheetImport(models.Model):
    """An uploaded spreadsheet and its import into one provider's records.

    The task worker runs it twice: first as a dry run whose report is the preview, then, once
    someone confirms, for real. The file is kept in the database (the worker may run on another
    machine) until the real import has run.
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
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    dry_run = models.BooleanField(
        _("preview"), default=True, help_text=_("A preview writes nothing.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    report = models.JSONField(
        _("report"),
        default=list,
        blank=True,
        help_text=_("Each row: number, identifier, action and the problems found."),
    )
    error = models.TextField(
        _("error"), blank=True, help_text=_("Why the file as a whole could not be imported.")
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated = models.DateTimeField(
        _("last activity"), auto_now=True, help_text=_("Queued, started, progressed or ended.")
    )
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

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
    def is_stalled(self) -> bool:
        return self.in_progress and timezone.now() - self.updated > timedelta(
            minutes=self.STALLED_AFTER_MINUTES
        )
