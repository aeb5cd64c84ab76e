"""Provider staff: the group whose permissions let people maintain their organisation's records."""

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, transaction

from descriptors.models import Organisation, OrganisationMember

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
            "edition",
            "grant",
        )
        for action in ("view", "add", "change", "delete")
    ]
    + ["view_organisation"],
    # Concepts for the region's type-ahead (some two thousand NUTS regions).
    "taxonomies": ["view_escoskill", "view_iscedfield", "view_concept"],
}


def provider_staff_group() -> Group:
    """The group that carries provider staff permissions, created or refreshed on demand."""
    group, _ = Group.objects.get_or_create(name=PROVIDER_STAFF_GROUP)
    _permissions_set(group)
    return group


def provider_staff_permissions_refresh(using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Give the existing group the permissions of this release (after ``migrate``: a new
    model's inline would otherwise stay hidden from staff until someone else joins)."""
    group = Group.objects.using(using).filter(name=PROVIDER_STAFF_GROUP).first()
    if group is not None:
        _permissions_set(group, using)


def _permissions_set(group: Group, using: str = DEFAULT_DB_ALIAS) -> None:
    permissions = [
        Permission.objects.using(using).get(content_type__app_label=app, codename=codename)
        for app, codenames in PROVIDER_STAFF_PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(permissions)


@transaction.atomic
def organisation_member_add(*, user, organisation: Organisation) -> OrganisationMember:
    """Make ``user`` provider staff of ``organisation``: admin access to its records only."""
    member, _ = OrganisationMember.objects.get_or_create(user=user, organisation=organisation)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(provider_staff_group())
    return member
