"""Hostile or unlucky imports and changes (issue 20, items 5, 8, 9; issue 12, items 3 and 7),
each reproduced through the API, the admin or a management command."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from catalogue.models import ApiToken, CatalogueChange, ElmImport, SearchDocument
from catalogue.tokens import api_token_issue
from descriptors import elm_import as elm_import_module
from descriptors.formats.elm_xml import dump_loq
from descriptors.models import LearningOpportunity, Organisation
from taxonomies.models import Concept, Scheme
from tests.builders import make_opportunity, make_organisation
from tests.descriptors.formats.test_elm_import import foreign_document, record

pytestmark = pytest.mark.django_db

IMPORT = reverse("api:opportunity-import")


def token_for(organisation) -> str:
    return api_token_issue(token=ApiToken(organisation=organisation, name="course system"))


def post_document(client, key: str, document: bytes):
    return client.post(
        IMPORT,
        data=document,
        content_type="application/xml",
        headers={"authorization": f"Token {key}"},
    )


def courses(count: int, prefix: str = "course") -> bytes:
    return foreign_document(
        [record(f"https://lms.example/{prefix}/{n}", title=f"Course {n}") for n in range(count)],
        provider_name="Token provider",
    )


def changes_of(pk: int) -> list[str]:
    return list(CatalogueChange.objects.filter(opportunity_id=pk).values_list("kind", flat=True))


# --- 20.5: an import that does not finish ---------------------------------------------------


def test_an_import_killed_midway_leaves_no_record_unindexed_or_unlogged(client, monkeypatch):
    """Gunicorn kills a worker mid-import: what was written is complete (search document and
    change entry in the same transaction as the record), what was not leaves no trace."""
    provider = make_organisation("Token provider")
    key = token_for(provider)
    monkeypatch.setattr(elm_import_module, "CHUNK", 2)
    write = elm_import_module.opportunities_bulk_save
    calls = []

    def killed_on_the_third_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker timeout")  # what gunicorn's abort raises in the worker
        return write(**kwargs)

    monkeypatch.setattr(elm_import_module, "opportunities_bulk_save", killed_on_the_third_chunk)
    with pytest.raises(SystemExit):
        post_document(client, key, courses(6))
    written = LearningOpportunity.objects.filter(provider=provider)
    assert written.count() == 4
    for opportunity in written:
        assert SearchDocument.objects.filter(opportunity=opportunity).exists()
        assert changes_of(opportunity.pk) == ["unpublished"]  # a draft: not to be harvested


@override_settings(OCLO_API_IMPORT_SYNC_RECORDS=3)
@pytest.mark.django_db(transaction=True)  # the worker opens its own transactions
def test_a_large_api_import_runs_as_a_job_that_only_its_organisation_sees(client):
    from taxonomies.loaders import taxonomies_load

    taxonomies_load()
    provider = make_organisation("Token provider")
    key, other_key = token_for(provider), token_for(make_organisation("Someone else"))
    response = post_document(client, key, courses(5))
    assert response.status_code == 202
    job_url = response["Location"]
    assert response.json()["status"] == "queued" and response.json()["url"] == job_url
    call_command("task_worker", "--batch", "--no-startup-delay", "--no-reload")
    job = client.get(job_url, headers={"authorization": f"Token {key}"}).json()
    assert job["status"] == "done"
    assert (job["records_total"], job["records_done"]) == (5, 5)
    assert len(job["report"]["created"]) == 5 and job["report"]["rejected"] == []
    assert ElmImport.objects.get().content == b""  # imported: the document is not kept
    others = client.get(job_url, headers={"authorization": f"Token {other_key}"})
    assert others.status_code == 404
    # Two more runs of the first two courses (same specifications): new editions of them.
    small = post_document(client, key, courses(2, prefix="small"))
    assert small.status_code == 200 and small.json()["rejected"] == []
    assert len(small.json()["created"]) + len(small.json()["updated"]) == 2
    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 12))
    page = client.get(reverse("admin:catalogue_elmimport_change", args=[job["id"]]))
    assert page.status_code == 200 and "Token provider" in page.content.decode()
    assert "https://lms.example/course/4" not in page.content.decode()  # ids, not documents


@override_settings(OCLO_API_IMPORT_MAX_BYTES=2000)
def test_an_oversized_document_is_refused_before_it_is_read(client):
    key = token_for(make_organisation("Token provider"))
    response = post_document(client, key, courses(10))
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Documents larger than 0 MB are refused: split the catalogue into several "
        "documents."
    }
    assert not LearningOpportunity.objects.exists()


# --- 20.8: reference data from a token holder's document ------------------------------------


def test_a_token_holders_document_creates_no_organisation_and_no_vocabulary_value(client):
    provider = make_organisation("Token provider")
    key = token_for(provider)
    organisations = Organisation.objects.count()
    document = (
        courses(1)
        .replace(
            b'<providedBy idref="https://lms.example/org/1"/>',
            b'<providedBy idref="https://lms.example/org/1"/>'
            b'<providedBy idref="https://lms.example/org/evil"/>',
        )
        .replace(
            b"</agentReferences>",
            b'<organisation id="https://lms.example/org/evil"><legalName language="en">'
            b"Evil Corp</legalName></organisation></agentReferences>",
        )
    )
    second = foreign_document(
        [record("https://lms.example/x", title="Payload", language="EVIL")],
        provider_name="Token provider",
    )
    first = post_document(client, key, document).json()
    assert len(first["created"]) == 1
    assert first["dropped"] == {"providedBy not in this catalogue": 1}
    refused = post_document(client, key, second).json()
    assert [r["reason"] for r in refused["rejected"]] == [
        "defaultLanguage: 'http://publications.europa.eu/resource/authority/language/EVIL' "
        "is not a known value."
    ]
    assert Organisation.objects.count() == organisations
    assert not Organisation.objects.filter(name="Evil Corp").exists()
    assert not Concept.objects.filter(scheme=Scheme.LANGUAGE, code="EVIL").exists()
    imported = LearningOpportunity.objects.get(pk=first["created"][0])
    assert imported.provider == provider and not imported.co_providers.exists()


def test_the_command_creates_missing_organisations_and_says_so(tmp_path, capsys):
    path = tmp_path / "courses.xml"
    path.write_bytes(
        courses(1)
        .replace(
            b"</legalName>",
            b'</legalName><location idref="https://lms.example/place"/>',
        )
        .replace(
            b"</agentReferences>",
            b'</agentReferences><locationReferences><location id="https://lms.example/place">'
            b'<address><countryCode uri="http://publications.europa.eu/resource/authority/'
            b'country/AUT"/></address></location></locationReferences>',
        )
    )
    call_command("import_elm", str(path))
    output = capsys.readouterr().out
    assert output.startswith("1 created, 0 updated, 0 unchanged, 0 rejected")
    assert "organisation created: Token provider" in output
    created = Organisation.objects.get(name="Token provider")
    assert (created.country.code, created.provider_type.code) == ("AUT", "other")


# --- 12.3: ids that collide with ours -------------------------------------------------------


def test_a_document_reusing_our_ids_cannot_touch_another_organisations_records(client):
    victim = make_opportunity(make_organisation("Victim"), complete=True, title="Victim's course")
    attacker = make_organisation("Token provider")
    key = token_for(attacker)
    document = foreign_document(
        [record(f"urn:oclo:opportunity:{victim.pk}", title="Defaced")],
        provider_name="Token provider",
    )
    answer = post_document(client, key, document).json()
    assert len(answer["created"]) == 1 and answer["created"] != [victim.pk]
    victim.refresh_from_db()
    assert victim.title == "Victim's course"
    own_id = dump_loq([LearningOpportunity.objects.with_detail_data().get(pk=victim.pk)])
    refused = post_document(client, key, own_id.replace(b"Victim's course", b"Defaced")).json()
    assert refused["rejected"][0]["reason"] == "this opportunity belongs to another organisation"
    victim.refresh_from_db()
    assert victim.title == "Victim's course"


# --- 20.9 and 12.7: every change through the change log, one entry per write ----------------


def test_deleting_a_co_provider_is_a_change_of_its_opportunities(client):
    partner = make_organisation("Partner university")
    opportunity = make_opportunity(make_organisation("Lead university"), title="Joint course")
    opportunity.co_providers.add(partner)
    url = reverse("api:opportunity-detail", args=[opportunity.pk])
    before = client.get(url)
    assert before.json()["co_providers"][0]["label"] == "Partner university"
    entries = changes_of(opportunity.pk)
    history = opportunity.history.count()
    admin = get_user_model().objects.create_superuser("root", password="a-long-password-1")
    client.force_login(admin)
    response = client.post(
        reverse("admin:descriptors_organisation_delete", args=[partner.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert changes_of(opportunity.pk) == [*entries, "updated"]
    assert opportunity.history.count() == history + 1
    assert opportunity.history.first().history_change_reason == (
        "organisation deleted: Partner university"
    )
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after.json()["co_providers"] == []
    if SearchDocument.objects.get(opportunity=opportunity).document:  # SQLite keeps the text
        assert "partner" not in SearchDocument.objects.get(opportunity=opportunity).document


def test_each_write_gives_exactly_one_change_entry(client):
    provider = make_organisation("Token provider")
    key = token_for(provider)
    opportunity = make_opportunity(provider, complete=True, title="One entry each")
    entries = len(changes_of(opportunity.pk))
    headers = {"authorization": f"Token {key}"}
    detail = reverse("api:opportunity-detail", args=[opportunity.pk])
    client.patch(
        detail,
        data={
            "title": "Renamed",
            "languages": ["ENG", "ITA"],
            "outcomes": [{"title": "Do one thing."}, {"title": "Do another."}],
        },
        content_type="application/json",
        headers=headers,
    )
    assert changes_of(opportunity.pk)[entries:] == ["updated"]
    unchanged = client.patch(
        detail, data={"title": "Renamed"}, content_type="application/json", headers=headers
    )
    assert unchanged.status_code == 200
    assert len(changes_of(opportunity.pk)) == entries + 1  # nothing changed, nothing logged
