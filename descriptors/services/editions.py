"""Writes on one edition of a micro-credential, each a change of the micro-credential."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from descriptors.models import Edition, LearningOpportunity
from descriptors.services.opportunities import opportunity_save
from descriptors.services.stored import editions_as_values
from descriptors.services.validation import edition_validate


def edition_save(
    *,
    opportunity: LearningOpportunity,
    edition: Edition | None,
    values: dict,
    partial: bool = False,
    change_reason: str = "",
) -> Edition:
    """Add an edition to ``opportunity`` (``edition`` None) or change one, as a change of the
    micro-credential (one history entry, re-index, change-log entry). ``partial`` keeps the
    values not given; otherwise they go back to their defaults. Raises ``ValidationError``
    with field messages (an edition code already used by another edition too)."""
    editions = editions_as_values(opportunity)
    stored = next((item for item in editions if item["id"] == getattr(edition, "pk", None)), {})
    merged = {**(stored if partial else {}), **values}
    merged.pop("id", None)
    edition_validate(opportunity=opportunity, values=merged)
    reference = merged.get("reference")
    if reference and any(
        item["reference"] == reference and item["id"] != stored.get("id") for item in editions
    ):
        raise ValidationError(
            {"reference": [_("This opportunity already has an edition with this code.")]}
        )
    if edition is None:
        editions.append(merged)
    else:
        editions = [merged | {"id": edition.pk} if item is stored else item for item in editions]
    known = {item["id"] for item in editions if "id" in item}
    opportunity_save(
        opportunity=opportunity,
        values={},
        relations={},
        editions=editions,
        change_reason=change_reason,
    )
    saved = opportunity.editions.all()
    return saved.get(pk=edition.pk) if edition else saved.exclude(pk__in=known).get()


def edition_copy(
    *, opportunity: LearningOpportunity, start_date, reference: str = "", change_reason: str = ""
) -> Edition:
    """A new edition like the latest one (the one starting last), starting on ``start_date``:
    its end and application deadline move by as many days, it is open for applications, and
    fees, places, schedule and where it differs are copied."""
    editions = [item for item in editions_as_values(opportunity) if item["start_date"]]
    if not editions:
        raise ValidationError(
            {"start_date": [_("There is no dated edition to copy: add the first one by hand.")]}
        )
    latest = max(editions, key=lambda item: (item["start_date"], item["id"]))
    shift = start_date - latest["start_date"]
    values = latest | {
        "reference": reference,
        "status": Edition.Status.OPEN,
        "start_date": start_date,
        **{
            name: latest[name] + shift
            for name in ("end_date", "application_deadline")
            if latest[name] is not None
        },
    }
    del values["id"]
    return edition_save(
        opportunity=opportunity, edition=None, values=values, change_reason=change_reason
    )


def edition_delete(*, opportunity: LearningOpportunity, edition: Edition) -> None:
    """Remove one edition, as a change of its micro-credential."""
    opportunity_save(
        opportunity=opportunity,
        values={},
        relations={},
        editions=[item for item in editions_as_values(opportunity) if item["id"] != edition.pk],
    )
