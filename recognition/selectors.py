"""Reads for the recognition pages and API: what is recognised where, pathways, comparisons.

Agreements, decisions and pathways may name an opportunity that has since been archived or
unpublished: they stay readable, and the opportunity shows as "no longer offered"
(``OpportunityReference.offered_opportunity``), never with its current title.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from descriptors.models import LearningOpportunity, LearningOutcome, Organisation
from recognition.conditions import recognition_unmet_conditions
from recognition.models import (
    Agreement,
    AgreementItem,
    Pathway,
    PathwayStep,
    RecognitionDecision,
    TargetCourse,
)
from recognition.pathways import PathwayTotals, pathway_totals
from taxonomies.models import EscoSkill
from taxonomies.suggestions import skills_closeness, texts_closeness

# From this closeness (per cent) on, two outcomes, or a skill and an outcome, are shown as
# meaning much the same thing. With the model, one outcome and its translation score 80-85,
# a paraphrase 50-55, two outcomes on one subject 35-40, unrelated ones under 30.
CLOSE_IN_MEANING = 45

# Public pages name each opportunity by its title in the visitor's language, as the catalogue
# does (``localized_title``).
TITLES_IN_EVERY_LANGUAGE = "opportunity__translations__language"


def recognitions_in_force(
    *, opportunity_id: int, institution_id: int | None = None, on: date | None = None
):
    """Where an opportunity is recognised today (or ``on``): items of approved agreements in
    force, optionally at one institution."""
    items = AgreementItem.objects.filter(
        opportunity_id=opportunity_id, agreement__in=Agreement.objects.in_force(on)
    ).select_related("agreement__institution__country", "opportunity")
    if institution_id is not None:
        items = items.filter(agreement__institution_id=institution_id)
    return items.order_by("agreement__institution__name", "position")


def editions_not_covered(agreement: Agreement, opportunity: LearningOpportunity) -> list:
    """The opportunity's current editions that start outside the agreement's validity."""
    return [
        edition for edition in opportunity.current_editions if not agreement.covers_edition(edition)
    ]


def opportunities_recognised_by(opportunities: list[LearningOpportunity]) -> dict[int, list[str]]:
    """The compare page's "recognised by" row: for each opportunity, each institution that
    recognises it under an agreement in force, with the credits and what they count toward."""
    items = AgreementItem.objects.filter(
        opportunity__in=[opportunity.pk for opportunity in opportunities],
        agreement__in=Agreement.objects.in_force(),
    ).select_related("agreement__institution")
    lines: dict[int, list[str]] = {}
    for item in items.order_by("agreement__institution__name", "position"):
        credits = _("%(ects)s ECTS toward %(target)s (%(kind)s)") % {
            "ects": floatformat(item.ects, "-2"),
            "target": item.target_title,
            "kind": item.get_target_kind_display(),
        }
        lines.setdefault(item.opportunity_id, []).append(
            f"{item.agreement.institution.name}: {credits}"
        )
    return lines


def recognising_institutions(on: date | None = None) -> list[tuple[Organisation, int]]:
    """Institutions with agreements in force, and how many opportunities each recognises."""
    counts = (
        AgreementItem.objects.filter(
            agreement__in=Agreement.objects.in_force(on),
            opportunity__status=LearningOpportunity.Status.PUBLISHED,
        )
        .values("agreement__institution")
        .annotate(opportunities=Count("opportunity", distinct=True))
    )
    by_pk = {row["agreement__institution"]: row["opportunities"] for row in counts}
    institutions = Organisation.objects.filter(pk__in=by_pk).select_related("country")
    return [(institution, by_pk[institution.pk]) for institution in institutions.order_by("name")]


def institution_agreements_in_force(*, institution: Organisation, on: date | None = None):
    return (
        Agreement.objects.in_force(on)
        .filter(institution=institution)
        .prefetch_related(
            "providers",
            Prefetch(
                "items",
                AgreementItem.objects.select_related(
                    "opportunity__provider", "opportunity__eqf_level"
                ).prefetch_related(TITLES_IN_EVERY_LANGUAGE),
            ),
        )
        .order_by("title")
    )


def agreement_public(*, pk: int) -> Agreement:
    """An approved or retired version (drafts are not public); raises ``DoesNotExist``."""
    return (
        Agreement.objects.public()
        .select_related("institution__country", "language")
        .prefetch_related(
            "providers__country",
            Prefetch(
                "items",
                AgreementItem.objects.select_related(
                    "opportunity__provider", "opportunity__eqf_level"
                ).prefetch_related(
                    "opportunity__isced_fields",
                    "opportunity__assessments",
                    TITLES_IN_EVERY_LANGUAGE,
                ),
            ),
        )
        .get(pk=pk)
    )


def agreement_versions(agreement: Agreement, *, include_drafts: bool = False):
    return versions_by_series([agreement.series], include_drafts=include_drafts).get(
        agreement.series, []
    )


def versions_by_series(series: list, *, include_drafts: bool = False) -> dict:
    """Every version of these agreements, in order, in one query (for lists)."""
    versions = Agreement.objects.filter(series__in=series)
    if not include_drafts:
        versions = versions.public()
    grouped: dict = {}
    for version in versions.order_by("version"):
        grouped.setdefault(version.series, []).append(version)
    return grouped


@dataclass(frozen=True)
class PathwayView:
    pathway: Pathway
    steps: list[PathwayStep]
    totals: PathwayTotals


def _pathway_view(pathway: Pathway) -> PathwayView:
    steps = list(pathway.steps.all())
    return PathwayView(pathway, steps, pathway_totals(pathway, steps))


def _pathways():
    return (
        Pathway.objects.published()
        .select_related("owner", "awarding_body")
        .prefetch_related(
            Prefetch(
                "steps",
                PathwayStep.objects.select_related("opportunity__provider")
                .prefetch_related(TITLES_IN_EVERY_LANGUAGE)
                .order_by("position", "pk"),
            )
        )
    )


def opportunity_pathways(*, opportunity_id: int) -> list[PathwayView]:
    pathways = _pathways().filter(steps__opportunity_id=opportunity_id).distinct()
    return [_pathway_view(pathway) for pathway in pathways]


def pathway_list() -> list[PathwayView]:
    return [_pathway_view(pathway) for pathway in _pathways()]


def pathway_detail(*, pk: int) -> PathwayView:
    return _pathway_view(_pathways().get(pk=pk))


def decisions_public():
    return (
        RecognitionDecision.objects.public()
        .select_related(
            "institution", "opportunity__provider", "opportunity__eqf_level", "proposed_eqf_level"
        )
        .prefetch_related(TITLES_IN_EVERY_LANGUAGE)
    )


@dataclass(frozen=True)
class OutcomeMatch:
    """A course outcome and the opportunity's outcome closest to it in meaning."""

    course_outcome: str
    opportunity_outcome: LearningOutcome | None
    closeness: int  # per cent

    @property
    def is_close(self) -> bool:
        return self.closeness >= CLOSE_IN_MEANING


@dataclass(frozen=True)
class SkillComparison:
    """Decision support: which skills an opportunity and a course share, and the gaps."""

    shared: list[EscoSkill]
    missing: list[EscoSkill]  # the course's, not covered by the opportunity
    additional: list[EscoSkill]  # the opportunity's, beyond the course
    # missing skill -> opportunity skills under the same broader ESCO concept
    close: dict[EscoSkill, list[EscoSkill]]
    opportunity_outcomes: list[LearningOutcome]
    course_outcomes: list[str]
    # each course outcome with its closest opportunity outcome, in the course's order
    outcome_matches: list[OutcomeMatch]
    # missing skill -> the opportunity outcome that says it in other words (not linked to it)
    covered_in_meaning: dict[EscoSkill, OutcomeMatch]

    @property
    def coverage(self) -> int:
        """Share of the course's skills the opportunity covers, in per cent."""
        wanted = len(self.shared) + len(self.missing)
        return round(100 * len(self.shared) / wanted) if wanted else 0


def _by_label(skills) -> list[EscoSkill]:
    return sorted(skills, key=lambda skill: skill.preferred_label.casefold())


def outcome_comparison(
    *, opportunity: LearningOpportunity, course: TargetCourse
) -> SkillComparison:
    outcomes = list(opportunity.outcomes.prefetch_related("skills").order_by("position"))
    offered = {skill for outcome in outcomes for skill in outcome.skills.all()}
    wanted = set(course.skills.all())
    missing = wanted - offered
    broader = {
        (relation.narrower_id, relation.broader_id)
        for relation in EscoSkill.broader.through.objects.filter(narrower__in=missing | offered)
    }
    parents: dict[int, set[int]] = {}
    for narrower, parent in broader:
        parents.setdefault(narrower, set()).add(parent)
    close = {
        skill: _by_label(
            other
            for other in offered
            if parents.get(other.pk, set()) & parents.get(skill.pk, set())
        )
        for skill in _by_label(missing)
    }
    course_outcomes = course.outcome_lines()
    return SkillComparison(
        shared=_by_label(wanted & offered),
        missing=_by_label(missing),
        additional=_by_label(offered - wanted),
        close={skill: others for skill, others in close.items() if others},
        opportunity_outcomes=outcomes,
        course_outcomes=course_outcomes,
        outcome_matches=_closest_outcomes(course_outcomes, outcomes),
        covered_in_meaning=_skills_in_outcomes(_by_label(missing), outcomes),
    )


def _closest_outcomes(lines: list[str], outcomes: list[LearningOutcome]) -> list[OutcomeMatch]:
    closeness = texts_closeness(lines, [outcome.title for outcome in outcomes])
    matches = []
    for line, row in zip(lines, closeness, strict=True):
        best = int(row.argmax()) if len(outcomes) else None
        matches.append(
            OutcomeMatch(
                line,
                outcomes[best] if best is not None and row[best] > 0 else None,
                round(100 * float(row[best])) if best is not None else 0,
            )
        )
    return matches


def _skills_in_outcomes(
    skills: list[EscoSkill], outcomes: list[LearningOutcome]
) -> dict[EscoSkill, OutcomeMatch]:
    closeness = skills_closeness([skill.pk for skill in skills], [o.title for o in outcomes])
    if closeness is None:
        return {}
    found = {}
    for skill, row in zip(skills, closeness, strict=True):
        match = OutcomeMatch(
            skill.preferred_label, outcomes[int(row.argmax())], round(100 * float(row.max()))
        )
        if match.is_close:
            found[skill] = match
    return found


def opportunity_recognition_section(opportunity: LearningOpportunity) -> dict | None:
    """What the opportunity page shows: recognitions in force and pathways (None if neither)."""
    recognitions = list(recognitions_in_force(opportunity_id=opportunity.pk))
    pathways = opportunity_pathways(opportunity_id=opportunity.pk)
    if not recognitions and not pathways:
        return None
    today = timezone.localdate()
    for item in recognitions:
        item.unmet_conditions = recognition_unmet_conditions(item, opportunity, today)
        item.editions_not_covered = editions_not_covered(item.agreement, opportunity)
    return {"opportunity": opportunity, "recognitions": recognitions, "pathways": pathways}


def provider_recognition_section(organisation: Organisation) -> dict | None:
    """What the provider page shows: the agreements in force that recognise its offer, and
    whether it recognises others' (None if neither)."""
    in_force = Agreement.objects.in_force().select_related("institution")
    recognised_by = list(in_force.filter(providers=organisation).order_by("institution__name"))
    recognises = in_force.filter(institution=organisation).exists()
    if not recognised_by and not recognises:
        return None
    return {"organisation": organisation, "recognised_by": recognised_by, "recognises": recognises}
