"""Publishing: the admin's bulk actions (with a confirmation when records are incomplete) and
``manage.py publish_opportunities``; the API's publish answer is in tests/catalogue/api."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.urls import reverse

from descriptors.models import LearningOpportunity
from tests.builders import make_opportunity, make_organisation, make_provider_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:descriptors_learningopportunity_changelist")
DRAFT = LearningOpportunity.Status.DRAFT
PUBLISHED = LearningOpportunity.Status.PUBLISHED


@pytest.fixture
def provider_a():
    return make_organisation("Provider A")


def action(client, name: str, records, **extra):
    return client.post(
        CHANGELIST,
        {"action": name, ACTION_CHECKBOX_NAME: [record.pk for record in records], **extra},
        follow=True,
    )


def status_of(record) -> str:
    return LearningOpportunity.objects.get(pk=record.pk).status


def test_publishing_incomplete_drafts_lists_what_they_lack_and_asks_first(client, provider_a):
    client.force_login(make_provider_user(provider_a))
    incomplete = make_opportunity(provider_a, title="Half-described course", status=DRAFT)
    complete = make_opportunity(provider_a, title="Fully described", status=DRAFT, complete=True)

    asked = action(client, "publish_selected", [incomplete, complete])
    page = asked.content.decode()
    assert "Publish incomplete learning opportunities?" in page
    assert "Half-described course" in page and "Web page" in page and "Annex I 9" in page
    assert status_of(incomplete) == status_of(complete) == DRAFT  # nothing yet

    done = action(client, "publish_selected", [incomplete, complete], confirm="yes")
    assert status_of(incomplete) == status_of(complete) == PUBLISHED
    shown = [str(message) for message in done.context["messages"]]
    assert "2 learning opportunities published." in shown
    assert any("Half-described course: Web page" in message for message in shown)


def test_complete_drafts_are_published_without_a_question(client, provider_a):
    client.force_login(make_provider_user(provider_a))
    complete = make_opportunity(provider_a, status=DRAFT, complete=True)
    response = action(client, "publish_selected", [complete])
    assert response.redirect_chain  # straight back to the list
    assert status_of(complete) == PUBLISHED


def test_bulk_actions_reach_only_the_users_own_organisations(client, provider_a):
    client.force_login(make_provider_user(provider_a))
    foreign_draft = make_opportunity(make_organisation("Provider B"), status=DRAFT, complete=True)
    foreign_public = make_opportunity(foreign_draft.provider, complete=True)
    own_public = make_opportunity(provider_a, complete=True)

    action(client, "publish_selected", [foreign_draft], confirm="yes")
    action(client, "unpublish_selected", [foreign_public, own_public])
    assert status_of(foreign_draft) == DRAFT
    assert status_of(foreign_public) == PUBLISHED
    assert status_of(own_public) == DRAFT


def test_an_invalid_draft_is_refused_with_its_reason_and_the_others_published(client, provider_a):
    client.force_login(make_provider_user(provider_a))
    broken = make_opportunity(
        provider_a,
        title="A fee in no currency",
        status=DRAFT,
        complete=True,
        fee_amount=Decimal("250"),
    )
    fine = make_opportunity(provider_a, status=DRAFT, complete=True)
    response = action(client, "publish_selected", [broken, fine])
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        message == "Not published: A fee in no currency: "
        "Edition 1: currency: Choose the currency of the fee."
        for message in shown
    )
    assert status_of(broken) == DRAFT and status_of(fine) == PUBLISHED


def test_unpublish_makes_records_drafts_that_keep_their_first_publication_date(client, provider_a):
    client.force_login(make_provider_user(provider_a))
    record = make_opportunity(provider_a, status=DRAFT, complete=True)
    action(client, "publish_selected", [record])
    published_at = LearningOpportunity.objects.get(pk=record.pk).published_at
    response = action(client, "unpublish_selected", [record])
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["1 learning opportunity is a draft again, out of the public catalogue."]
    assert status_of(record) == DRAFT
    assert LearningOpportunity.objects.get(pk=record.pk).published_at == published_at
    assert client.get(reverse("api:opportunity-detail", args=[record.pk])).status_code == 404


def test_the_command_publishes_a_providers_drafts_and_lists_what_they_lack(capsys, provider_a):
    own = make_opportunity(provider_a, title="Draft without a web page", status=DRAFT)
    other = make_opportunity(make_organisation("Provider B"), status=DRAFT)
    call_command("publish_opportunities", "--provider", "Provider A")
    out = capsys.readouterr().out
    assert f"#{own.pk} Draft without a web page (Provider A) lacks: " in out
    assert "Web page [ELM LearningOpportunity.homepage [1..*]]" in out
    assert "1 published, 0 refused." in out
    assert status_of(own) == PUBLISHED and status_of(other) == DRAFT


def test_the_command_can_leave_incomplete_drafts_and_can_only_list(capsys, provider_a):
    incomplete = make_opportunity(provider_a, status=DRAFT)
    complete = make_opportunity(provider_a, status=DRAFT, complete=True)
    call_command("publish_opportunities", "--all-drafts", "--dry-run")
    assert "Dry run: 2 drafts would be published." in capsys.readouterr().out
    assert status_of(incomplete) == status_of(complete) == DRAFT
    call_command("publish_opportunities", "--all-drafts", "--complete-only")
    assert "1 published, 0 refused, 1 left as drafts (incomplete)." in capsys.readouterr().out
    assert status_of(incomplete) == DRAFT and status_of(complete) == PUBLISHED


def test_the_command_selects_drafts_by_the_source_that_wrote_them(capsys, provider_a):
    imported = make_opportunity(provider_a, status=DRAFT, complete=True)
    typed = make_opportunity(provider_a, status=DRAFT, complete=True)
    imported.history.filter(history_type="+").update(history_change_reason="spreadsheet import")
    call_command("publish_opportunities", "--source", "Spreadsheet")
    assert status_of(imported) == PUBLISHED and status_of(typed) == DRAFT


def test_the_command_needs_to_be_told_which_drafts():
    with pytest.raises(CommandError, match="--provider, --source or --all-drafts"):
        call_command("publish_opportunities")
    with pytest.raises(CommandError, match="No organisation named 'Nobody'"):
        call_command("publish_opportunities", "--provider", "Nobody")


def test_a_draft_published_from_its_form_says_since_when(client, provider_a):
    """The status select publishes as the action does: the record gets its publication time,
    once (a later save keeps it)."""
    from tests.descriptors.test_provider_admin import admin_post_data

    client.force_login(make_provider_user(provider_a))
    record = make_opportunity(provider_a, status=DRAFT, complete=True)
    url = reverse("admin:descriptors_learningopportunity_change", args=[record.pk])
    response = client.post(url, admin_post_data(record, status="published"))
    assert response.status_code == 302
    published_at = LearningOpportunity.objects.get(pk=record.pk).published_at
    assert published_at is not None

    client.post(url, admin_post_data(record, status="published", description="Changed."))
    assert LearningOpportunity.objects.get(pk=record.pk).published_at == published_at


def test_a_record_written_public_by_the_write_path_says_since_when(provider_a):
    """Imports and the API write through the bulk path, which bypasses ``save``."""
    from descriptors.services import opportunity_save
    from taxonomies.models import Concept, Scheme

    english = Concept.objects.get(scheme=Scheme.LANGUAGE, code="ENG")
    record = opportunity_save(
        opportunity=LearningOpportunity(provider=provider_a),
        values={"title": "Written public", "status": "published", "default_language": english},
        relations={"languages": [english], "isced_fields": ["0542"]},
    )
    assert LearningOpportunity.objects.get(pk=record.pk).published_at is not None
