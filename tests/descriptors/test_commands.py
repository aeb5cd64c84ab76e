import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.builders import make_organisation

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
