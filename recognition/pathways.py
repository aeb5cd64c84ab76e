"""Stackable pathways: totals computed from the steps, and checks that their rules can be met."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from descriptors.models import LearningOpportunity
from recognition.models import Pathway


@dataclass(frozen=True)
class StepFigures:
    opportunity: LearningOpportunity
    position: int
    is_required: bool

    @property
    def ects(self) -> Decimal:
        return self.opportunity.ects_credits or Decimal(0)


@dataclass(frozen=True)
class PathwayTotals:
    """What the whole pathway adds up to, and what a completion that meets the rules takes."""

    ects: Decimal
    workload_hours: int
    steps: int
    steps_to_complete: int
    completion_ects_low: Decimal
    completion_ects_high: Decimal
    steps_without_credits: list[str] = field(default_factory=list)


def _credits(value: Decimal) -> str:
    """5.00 -> '5', 2.50 -> '2.5': credits as people write them."""
    return f"{Decimal(value).normalize():f}"


def _figures(pathway: Pathway, steps=None) -> list[StepFigures]:
    if steps is None:
        steps = pathway.steps.select_related("opportunity").order_by("position", "pk")
    return [StepFigures(step.opportunity, step.position, step.is_required) for step in steps]


def _to_complete(pathway: Pathway, count: int) -> int:
    if pathway.rule == Pathway.Rule.N_OF_M and pathway.required_count:
        return pathway.required_count
    return count


def pathway_totals(pathway: Pathway, steps=None) -> PathwayTotals:
    """Totals over the steps (given unsaved, or read from the database)."""
    figures = _figures(pathway, steps)
    needed = _to_complete(pathway, len(figures))
    every_step = pathway.rule == Pathway.Rule.ALL
    required = [step.ects for step in figures if step.is_required or every_step]
    optional = sorted(step.ects for step in figures if not (step.is_required or every_step))
    free_choices = max(0, needed - len(required))
    low = sum(required, Decimal(0)) + sum(optional[:free_choices], Decimal(0))
    high = sum(required, Decimal(0)) + sum(optional[len(optional) - free_choices :], Decimal(0))
    return PathwayTotals(
        ects=sum((step.ects for step in figures), Decimal(0)),
        workload_hours=sum(step.opportunity.workload_hours or 0 for step in figures),
        steps=len(figures),
        steps_to_complete=needed,
        completion_ects_low=low,
        completion_ects_high=high,
        steps_without_credits=[
            step.opportunity.title for step in figures if step.opportunity.ects_credits is None
        ],
    )


def pathway_validate(pathway: Pathway, steps) -> None:
    """The rules must be achievable with these steps; raises ``ValidationError``."""
    figures = _figures(pathway, steps)
    errors = []
    if not figures:
        errors.append(_("A pathway needs at least one step."))
    if pathway.rule == Pathway.Rule.N_OF_M and pathway.required_count:
        if pathway.required_count > len(figures):
            errors.append(
                _("%(count)s steps must be completed but the pathway has only %(steps)s.")
                % {"count": pathway.required_count, "steps": len(figures)}
            )
        required = sum(1 for step in figures if step.is_required)
        if required > pathway.required_count:
            errors.append(
                _("%(required)s steps are required but only %(count)s are to be completed.")
                % {"required": required, "count": pathway.required_count}
            )
    if not errors and pathway.minimum_ects:
        totals = pathway_totals(pathway, steps)
        if totals.completion_ects_high < pathway.minimum_ects:
            errors.append(
                _("At most %(high)s ECTS can be reached, less than the minimum of %(minimum)s.")
                % {
                    "high": _credits(totals.completion_ects_high),
                    "minimum": _credits(pathway.minimum_ects),
                }
            )
    if errors:
        raise ValidationError(errors)
