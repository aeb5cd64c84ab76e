"""Writes on one micro-credential as a whole: saved with the admin form's rules, published,
taken back to draft or archived."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from descriptors.completeness import Requirement, opportunity_completeness
from descriptors.models import LearningOpportunity
from descriptors.services.stored import OpportunityWrite, editions_as_values
from descriptors.services.validation import editions_validate, opportunity_validate
from descriptors.services.write_path import opportunities_bulk_save


def opportunity_save(
    *,
    opportunity: LearningOpportunity,
    values: dict,
    relations: dict[str, list],
    outcomes: list[dict] | None = None,
    editions: list[dict] | None = None,
    grants: list[dict] | None = None,
    change_reason: str = "",
    changed_by=None,
) -> LearningOpportunity:
    """Create or update one opportunity with the same validation as the admin form.

    ``relations`` maps many-to-many descriptors to their new members; ``outcomes`` (title and
    ESCO skills each), when given, replaces the learning outcomes, and ``grants`` (title,
    description, homepage) the grants; ``editions``, when given, is its whole set of editions
    (see ``OpportunityWrite``). Raises ``ValidationError`` with
    field messages and writes nothing when anything is invalid.
    """
    for name, value in values.items():
        setattr(opportunity, name, value)
    errors = {}
    try:
        opportunity_validate(opportunity=opportunity, relations=relations)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if editions is not None:
        try:
            editions = editions_validate(opportunity=opportunity, editions=editions)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    opportunities_bulk_save(
        writes=[
            OpportunityWrite(
                opportunity, relations, outcomes=outcomes, editions=editions, grants=grants
            )
        ],
        change_reason=change_reason,
        changed_by=changed_by,
    )
    return opportunity


@transaction.atomic
def opportunity_publish(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Make an opportunity public; validates it first, as a save through the form would.
    Publishing does not require completeness: what Annex I or the ELM LOQ profile would still
    want (``opportunity_completeness``) is for the caller to show and confirm."""
    opportunity.full_clean()
    editions_validate(opportunity=opportunity, editions=editions_as_values(opportunity))
    opportunity.status = LearningOpportunity.Status.PUBLISHED
    opportunity.save(update_fields=["status", "modified"])
    return opportunity


@transaction.atomic
def opportunity_unpublish(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Take a published opportunity back to draft: out of the public catalogue, still
    editable. It keeps the date it was first published."""
    opportunity.status = LearningOpportunity.Status.DRAFT
    opportunity.save(update_fields=["status", "modified"])
    return opportunity


@dataclass
class PublishReport:
    """What a bulk publish did: each record published (with what it still lacks, for a
    warning), or refused with the validation messages that stopped it."""

    published: list[tuple[LearningOpportunity, list[Requirement]]] = dataclasses.field(
        default_factory=list
    )
    refused: list[tuple[LearningOpportunity, list[str]]] = dataclasses.field(default_factory=list)
    already: int = 0


def opportunities_publish(*, opportunities: Iterable[LearningOpportunity]) -> PublishReport:
    """Publish each of ``opportunities`` on its own: one invalid record is refused and
    reported, the others are published. Records already published are left alone (no write,
    no entry in the changes feed)."""
    report = PublishReport()
    for opportunity in opportunities:
        if opportunity.is_public:
            report.already += 1
            continue
        try:
            opportunity_publish(opportunity=opportunity)
        except ValidationError as error:
            report.refused.append((opportunity, error.messages))
            continue
        report.published.append((opportunity, opportunity_completeness(opportunity).missing))
    return report


def opportunities_unpublish(*, opportunities: Iterable[LearningOpportunity]) -> int:
    """Take the published ones of ``opportunities`` back to draft; how many there were."""
    count = 0
    for opportunity in opportunities:
        if opportunity.is_public:
            opportunity_unpublish(opportunity=opportunity)
            count += 1
    return count


@transaction.atomic
def opportunity_archive(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Withdraw an opportunity from the public catalogue, keeping its record."""
    opportunity.status = LearningOpportunity.Status.ARCHIVED
    opportunity.save(update_fields=["status", "modified"])
    return opportunity
