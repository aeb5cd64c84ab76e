import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from tests.builders import make_organisation, make_provider_user

pytestmark = pytest.mark.django_db


def test_add_provider_staff_creates_a_login_scoped_to_the_organisation(client, capsys):
    organisation = make_organisation("Open Universiteit", country="NLD")
    call_command("add_provider_staff", "ou-editor", "--organisation", "Open Universiteit")
    output = capsys.readouterr().out
    password = output.split("change it): ")[1].strip()
    user = get_user_model().objects.get(username="ou-editor")
    assert user.is_staff and not user.is_superuser
    assert list(user.organisation_memberships.values_list("organisation", flat=True)) == [
        organisation.pk
    ]
    assert client.login(username="ou-editor", password=password)
    assert client.get("/admin/descriptors/learningopportunity/").status_code == 200


def test_add_provider_staff_names_an_unknown_organisation():
    with pytest.raises(CommandError, match="No organisation named 'Nowhere'"):
        call_command("add_provider_staff", "someone", "--organisation", "Nowhere")


def test_migrate_gives_existing_provider_staff_the_permissions_of_new_models(client):
    """Staff who joined before grants existed may add them once the upgrade has migrated."""
    organisation = make_organisation("Open Universiteit", country="NLD")
    staff = make_provider_user(organisation, "ou-editor")
    group = staff.groups.get()
    group.permissions.remove(Permission.objects.get(codename="add_grant"))
    assert not get_user_model().objects.get(pk=staff.pk).has_perm("descriptors.add_grant")

    call_command("migrate", verbosity=0)
    assert get_user_model().objects.get(pk=staff.pk).has_perm("descriptors.add_grant")
