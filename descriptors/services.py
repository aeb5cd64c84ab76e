"""Writes on learning opportunities and the people who maintain them."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from descriptors.models import (
    LearningOpportunity,
    LearningOutcome,
    Organisation,
    OrganisationMember,
)

PROVIDER_STAFF_GROUP = "Provider staff"
# What provider staff may do in the admin; the admin itself narrows every action to their
# own organisation's records.
PROVIDER_STAFF_PERMISSIONS = {
    "descriptors": [
        f"{action}_{model}"
        for model in (
            "learningopportunity",
            "learningoutcome",
            "assessment",
            "activity",
            "opportunitytranslation",
        )
        for action in ("view", "add", "change", "delete")
    ]
    + ["view_organisation"],
    "taxonomies": ["view_escoskill", "view_iscedfield"],
}


def provider_staff_group() -> Group:
    """The group that carries provider staff permissions, created or refreshed on demand."""
    group, _ = Group.objects.get_or_create(name=PROVIDER_STAFF_GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in PROVIDER_STAFF_PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(permissions)
    return group


@transaction.atomic
def organisation_member_add(*, user, organisation: Organisation) -> OrganisationMember:
    """Make ``user`` provider staff of ``organisation``: admin access to its records only."""
    member, _ = OrganisationMember.objects.get_or_create(user=user, organisation=organisation)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(provider_staff_group())
    return member


@transaction.atomic
def opportunity_publish(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Make an opportunity public; validates it first, as a save through the form would."""
    opportunity.full_clean()
    opportunity.status = LearningOpportunity.Status.PUBLISHED
    opportunity.published_at = opportunity.published_at or timezone.now()
    opportunity.save(update_fields=["status", "published_at", "modified"])
    return opportunity


@transaction.atomic
def opportunity_save(
    *,
    opportunity: LearningOpportunity,
    values: dict,
    relations: dict[str, list],
    outcomes: list[dict] | None = None,
) -> LearningOpportunity:
    """Create or update an opportunity with the same validation as the admin form.

    ``relations`` maps many-to-many descriptors to their new members; ``outcomes`` (title and
    ESCO skills each), when given, replaces the learning outcomes. Raises ``ValidationError``
    with field messages and writes nothing when anything is invalid.
    """
    for name, value in values.items():
        setattr(opportunity, name, value)
    opportunity.full_clean(exclude=list(relations))
    required = {
        "languages": "Give at least one language of instruction.",
        "isced_fields": "Give at least one ISCED-F field.",
    }
    missing = {
        name: [message]
        for name, message in required.items()
        if name in relations and not relations[name]
    }
    if opportunity.pk is None:
        missing |= {name: [message] for name, message in required.items() if name not in relations}
    if missing:
        raise ValidationError(missing)
    opportunity.save()
    for name, members in relations.items():
        getattr(opportunity, name).set(members)
    if outcomes is not None:
        opportunity.outcomes.all().delete()
        for position, outcome in enumerate(outcomes):
            saved = LearningOutcome(
                opportunity=opportunity, position=position, title=outcome["title"]
            )
            if hasattr(opportunity, "skip_history_when_saving"):
                # A bulk writer records the opportunity's history itself (see imports).
                saved.skip_history_when_saving = True
            saved.save()
            saved.skills.set(outcome.get("skills", []))
    return opportunity


@transaction.atomic
def opportunity_archive(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Withdraw an opportunity from the public catalogue, keeping its record."""
    opportunity.status = LearningOpportunity.Status.ARCHIVED
    opportunity.save(update_fields=["status", "modified"])
    return opportunity
