"""The micro-credential as designed once: the ECCOE descriptors and the Annex I elements ECCOE
lacks (ELM ``LearningAchievementSpecification`` and what every offering shares), and the reads a
list, a template row and a detail page need."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from descriptors.models.base import history_user, in_scheme, visitor_language
from descriptors.models.editions import Edition
from descriptors.models.organisations import Organisation, OrganisationScopedQuerySet
from taxonomies.models import Concept, EqfLevel, IscedField, NqfLevel, QnqSublevel, Scheme

if TYPE_CHECKING:
    from descriptors.models.translations import OpportunityTranslation


def _edition_prefetch() -> tuple:
    """What showing the editions needs: their own vocabularies, in three queries (the effective
    values fall back on the opportunity's, which are prefetched beside these)."""
    editions = Edition.objects.select_related("currency", "learning_schedule")
    return (Prefetch("editions", editions), "editions__modes", "editions__languages")


class LearningOpportunityQuerySet(OrganisationScopedQuerySet):
    def published(self) -> "LearningOpportunityQuerySet":
        return self.filter(status=LearningOpportunity.Status.PUBLISHED)

    def with_summary_data(self) -> "LearningOpportunityQuerySet":
        """Everything a summary in a list of results shows, in a fixed number of queries."""
        return self.select_related("provider", "eqf_level", "opportunity_type").prefetch_related(
            "isced_fields", "languages", "modes", *_edition_prefetch()
        )

    def with_card_data(self) -> "LearningOpportunityQuerySet":
        """Everything a list card shows: the summary, in the reader's language, with where
        the provider is."""
        return (
            self.with_summary_data()
            .select_related("provider__country")
            .prefetch_related("translations__language")
        )

    def with_template_data(self) -> "LearningOpportunityQuerySet":
        """Everything a row of the spreadsheet template holds."""
        return self.select_related(
            "opportunity_type", "default_language", "credential_type", "region"
        ).prefetch_related(
            "languages",
            "countries",
            "modes",
            "isced_fields",
            "outcomes__skills",
            "grants",
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
            "region",
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
            "grants",
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
        limit_choices_to=in_scheme(Scheme.LEARNING_OPPORTUNITY_TYPE),
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
        limit_choices_to=in_scheme(Scheme.COUNTRY),
        help_text=_("ECCOE 7: countries where it is provided."),
    )
    region = models.ForeignKey(
        Concept,
        verbose_name=_("region (NUTS)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.NUTS),
        related_name="+",
        help_text=_(
            "ECCOE 7: the NUTS region where it takes place, as precise as you know it (e.g. "
            "ITH35 Venezia, or ITH3 Veneto); leave it empty for an online-only offer."
        ),
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
        limit_choices_to=in_scheme(Scheme.LANGUAGE),
        help_text=_("ECCOE 8: the teaching language(s)."),
    )
    default_language = models.ForeignKey(
        Concept,
        verbose_name=_("default language"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=in_scheme(Scheme.LANGUAGE),
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
        limit_choices_to=in_scheme(Scheme.CREDIT_SYSTEM),
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
        limit_choices_to=in_scheme(Scheme.TARGET_GROUP),
        help_text=_(
            "ECCOE 14: who it is designed for, e.g. persons requiring employment retraining "
            "(ELM target groups); leave empty if it is open to all."
        ),
    )
    # 16
    modes = models.ManyToManyField(
        Concept,
        verbose_name=_("mode of learning"),
        blank=True,
        related_name="+",
        limit_choices_to=in_scheme(Scheme.MODE),
        help_text=_("ECCOE 16 / Annex I 10: online, blended, on site..."),
    )
    learning_setting = models.ForeignKey(
        Concept,
        verbose_name=_("learning setting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=in_scheme(Scheme.LEARNING_SETTING),
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
        limit_choices_to=in_scheme(Scheme.CREDENTIAL_TYPE),
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
        limit_choices_to=in_scheme(Scheme.QUALITY_ASSURANCE),
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
        help_text=_(
            "Annex I 16: anything else a learner or a recognition officer should know, e.g. "
            "the software needed or a partnership behind it."
        ),
    )

    created = models.DateTimeField(
        _("created"), auto_now_add=True, help_text=_("When the record was created; set by OCLO.")
    )
    modified = models.DateTimeField(
        _("modified"),
        auto_now=True,
        db_index=True,
        help_text=_("When the record last changed; set by OCLO."),
    )
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("When it was first published in the catalogue; set by OCLO."),
    )

    history = HistoricalRecords(m2m_fields=[isced_fields, languages, modes], get_user=history_user)
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

    def save(self, *args, **kwargs) -> None:
        if self.publication_dated() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        super().save(*args, **kwargs)

    def publication_dated(self) -> bool:
        """Give a public record the time it was first published, once, whichever way it was
        made public (the form's status, the publish action, an import, the API): ``save``
        calls this, and so does the bulk write path, which bypasses it. Whether it was set."""
        if self.status != self.Status.PUBLISHED or self.published_at is not None:
            return False
        self.published_at = timezone.now()
        return True

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
        translation = self.translation_for(language_code or visitor_language())
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
