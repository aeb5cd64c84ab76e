"""Comparing a learner's shortlist side by side: which opportunities a compare address names,
and what each row of the table says about each of them.

The shortlist itself lives in the learner's browser (``static/js/shortlist.js``) and travels
as ``/compare/?ids=12,40,7``, so a comparison is a link anyone can open, with or without
JavaScript. Rows other apps add (recognition's "recognised by") come through
``extensions.compare_rows``.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalogue import learner
from catalogue.extensions import compare_rows
from descriptors.models import Edition, LearningOpportunity

MAX_COMPARED = 4
# A longer list is not a shortlist: the rest of the address is not read at all.
MAX_IDS_READ = 50


@dataclass
class Row:
    label: str
    cells: list[list[str]]  # one cell per opportunity, as lines of text
    empty: str = ""  # what an empty cell says ("Not stated" unless the row knows better)


@dataclass
class RowGroup:
    label: str
    rows: list[Row]


@dataclass
class Comparison:
    opportunities: list[LearningOpportunity]
    groups: list[RowGroup] = field(default_factory=list)
    # What the learner must know about the address: unknown, withdrawn or surplus ids.
    notices: list[str] = field(default_factory=list)

    @property
    def ids(self) -> str:
        """The ``ids`` parameter of this comparison's address."""
        return ",".join(str(opportunity.pk) for opportunity in self.opportunities)

    @property
    def columns(self) -> list[tuple[LearningOpportunity, str]]:
        """Each opportunity with the ``ids`` of the comparison without it."""
        return [
            (
                opportunity,
                ",".join(str(other.pk) for other in self.opportunities if other != opportunity),
            )
            for opportunity in self.opportunities
        ]


def compare_ids(raw: str) -> tuple[list[int], list[str]]:
    """The opportunity ids an ``ids`` parameter names, in order and once each, and a notice for
    each part that is not an id."""
    ids, notices = [], []
    for part in raw.split(",")[:MAX_IDS_READ]:
        part = part.strip()
        if not part:
            continue
        if part.isascii() and part.isdigit() and 0 < int(part) < 2**31:
            if int(part) not in ids:
                ids.append(int(part))
        else:
            notices.append(
                _("“%(value)s” is not the number of a learning opportunity.") % {"value": part[:20]}
            )
    return ids, notices


def comparison(ids: list[int], *, today: date | None = None) -> Comparison:
    """The published opportunities among ``ids`` (at most ``MAX_COMPARED``, in the order
    given) with every row of the compare table, and notices for the ids left out."""
    notices = []
    # The ids no longer in the catalogue are left out before the limit is applied: they take
    # no place among the compared.
    published = set(
        LearningOpportunity.objects.published().filter(pk__in=ids).values_list("pk", flat=True)
    )
    missing = [pk for pk in ids if pk not in published]
    ids = [pk for pk in ids if pk in published]
    if len(ids) > MAX_COMPARED:
        notices.append(
            _(
                "You can compare up to %(limit)d learning opportunities side by side: the "
                "first %(limit)d of the %(count)d you chose are shown. Remove one to see the "
                "next."
            )
            % {"limit": MAX_COMPARED, "count": len(ids)}
        )
        ids = ids[:MAX_COMPARED]
    found = LearningOpportunity.objects.published().with_detail_data().in_bulk(ids)
    if missing:
        notices.append(
            ngettext(
                "Learning opportunity number %(ids)s is not in the catalogue: it may have been "
                "withdrawn by its provider.",
                "Learning opportunities number %(ids)s are not in the catalogue: they may have "
                "been withdrawn by their providers.",
                len(missing),
            )
            % {"ids": ", ".join(map(str, missing))}
        )
    opportunities = [found[pk] for pk in ids if pk in found]
    result = Comparison(opportunities, notices=notices)
    if opportunities:
        result.groups = _groups(opportunities, today or timezone.localdate())
    return result


def _names(items) -> list[str]:
    return [str(item) for item in items]


def _text(value) -> list[str]:
    return [str(value)] if value not in (None, "") else []


def _hours(opportunity: LearningOpportunity) -> list[str]:
    hours = opportunity.workload_hours
    if not hours:
        return []
    return [ngettext("%(hours)s hour", "%(hours)s hours", hours) % {"hours": hours}]


def _eqf(opportunity: LearningOpportunity) -> list[str]:
    level = opportunity.eqf_level
    if level is None:
        return []
    return [f"{level} ({learner.eqf_hint(level.level)})"]


def _place(opportunity: LearningOpportunity) -> list[str]:
    lines = _text(opportunity.location)
    if opportunity.region_id:
        lines.append(f"{opportunity.region} (NUTS {opportunity.region.code})")
    return lines + _names(opportunity.countries.all())


def _assessments(opportunity: LearningOpportunity) -> list[str]:
    return [
        " – ".join(
            str(part)
            for part in (assessment.title, assessment.assessment_type, assessment.supervision)
            if part
        )
        for assessment in opportunity.assessments.all()
    ]


def _skills(opportunity: LearningOpportunity) -> list[str]:
    labels = {
        skill.localized_label: None
        for outcome in opportunity.outcomes.all()
        for skill in outcome.skills.all()
    }
    return list(labels)


def _stackability(opportunity: LearningOpportunity) -> list[str]:
    kind = _("Stackable") if opportunity.is_stackable else _("Stand-alone")
    return [kind, *_text(opportunity.integration_options)]


def _next_start(opportunity: LearningOpportunity, today: date) -> list[str]:
    lines = [learner.next_start(opportunity, today).label]
    if more := opportunity.more_editions_count:
        lines.append(ngettext("%(n)s more edition", "%(n)s more editions", more) % {"n": more})
    return lines


def _price(edition: Edition | None) -> list[str]:
    return [learner.price_label(edition), *_text(edition and edition.fee_note)]


def _when_and_price(today: date) -> list[tuple[str, object]]:
    """The rows of the edition a learner would join (the next one, else the latest that ran):
    its dates, fees and schedule (and the micro-credential's grants, beside the fees)."""
    return [
        (gettext_lazy("Next start"), lambda o: _next_start(o, today)),
        (
            gettext_lazy("Applications"),
            lambda o: _text(learner.application_status(o.next_edition, today)),
        ),
        (gettext_lazy("What it costs"), lambda o: _price(o.headline_edition)),
        (gettext_lazy("Grants and subsidies"), lambda o: _names(o.grants.all())),
        (
            gettext_lazy("Duration"),
            lambda o: _text(
                o.headline_edition and learner.duration_in_words(o.headline_edition.duration)
            ),
        ),
        (
            gettext_lazy("Learning schedule"),
            lambda o: _text(o.headline_edition and o.headline_edition.learning_schedule),
        ),
    ]


def _groups(opportunities: list[LearningOpportunity], today: date) -> list[RowGroup]:
    """Every row, grouped as on the opportunity page: the ECCOE descriptors and the Annex I
    elements a learner weighs, then what other apps add. Long because it is one declaration,
    the table's rows in the order a learner reads them, best read whole."""
    spec = [
        (
            gettext_lazy("At a glance"),
            [
                *_when_and_price(today),
                (gettext_lazy("Workload"), _hours),
                (
                    gettext_lazy("ECTS credits"),
                    lambda o: _text(o.ects_credits and o.ects_credits.normalize()),
                ),
                (gettext_lazy("EQF level"), _eqf),
                (gettext_lazy("Mode of learning"), lambda o: _names(o.modes.all())),
                (gettext_lazy("Languages of instruction"), lambda o: _names(o.languages.all())),
                (gettext_lazy("Provided at"), _place),
                (gettext_lazy("Type of credential"), lambda o: _text(o.credential_type)),
            ],
        ),
        (
            gettext_lazy("Learning outcomes and ESCO skills"),
            [
                (
                    gettext_lazy("Learning outcomes"),
                    lambda o: [outcome.localized_title for outcome in o.outcomes.all()],
                ),
                (gettext_lazy("ESCO skills"), _skills),
                (
                    gettext_lazy("Subject area (ISCED-F 2013)"),
                    lambda o: _names(o.isced_fields.all()),
                ),
            ],
        ),
        (
            gettext_lazy("Admission and assessment"),
            [
                (gettext_lazy("Entry requirements"), lambda o: _text(o.entry_requirements)),
                (gettext_lazy("Admission procedure"), lambda o: _text(o.admission_procedure)),
                (gettext_lazy("Assessments"), _assessments),
            ],
        ),
        (
            gettext_lazy("Awarding, quality and stackability"),
            [
                (gettext_lazy("Learning opportunity type"), lambda o: _text(o.opportunity_type)),
                (gettext_lazy("Type of provider"), lambda o: _text(o.provider.provider_type)),
                (
                    gettext_lazy("Awarding bodies"),
                    lambda o: [body.name for body in o.awarding_bodies.all()],
                ),
                (
                    gettext_lazy("Type of quality assurance"),
                    lambda o: _text(o.quality_assurance_type),
                ),
                (gettext_lazy("NQF level"), lambda o: _text(o.nqf_level)),
                (gettext_lazy("Integration and stackability"), _stackability),
                (gettext_lazy("Further information"), lambda o: _text(o.further_information)),
            ],
        ),
    ]
    groups = [
        RowGroup(
            str(label),
            [Row(str(name), [cell(o) for o in opportunities]) for name, cell in rows],
        )
        for label, rows in spec
    ]
    extra = [
        Row(label, [values.get(o.pk, []) for o in opportunities], empty)
        for label, values, empty in compare_rows(opportunities)
    ]
    if extra:
        groups.append(RowGroup(_("Recognition"), extra))
    return groups
