"""Writes through the API: organisation tokens, the same rules as the admin forms."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue, api_token_revoke
from descriptors.models import LearningOpportunity
from tests.builders import make_opportunity, make_organisation

pytestmark = pytest.mark.django_db

LIST = reverse("api:opportunity-list")
VALID = {
    "title": "Applied statistics for public health",
    "provider_reference": "STAT-1",
    "default_language": "ENG",
    "languages": ["ENG", "http://publications.europa.eu/resource/authority/language/ITA"],
    "isced_fields": ["0542"],
    "modes": ["920fbb3cbe"],
    "eqf_level": 6,
    "workload_hours": 125,
    "ects_credits": "5",
    "homepage": "https://example.org/stat",
    "outcomes": [
        {
            "title": "Fit and interpret regression models.",
            "skills": ["http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"],
        }
    ],
}


def token_for(organisation) -> str:
    return api_token_issue(token=ApiToken(organisation=organisation, name="course system"))


@pytest.fixture
def world():
    a = make_organisation("Provider A")
    b = make_organisation("Provider B", country="ESP")
    return {
        "a": a,
        "b": b,
        "a_key": token_for(a),
        "b_key": token_for(b),
        "a_record": make_opportunity(a, title="A's course", status="draft"),
        "b_record": make_opportunity(b, title="B's course"),
    }


def call(client, method, url, key=None, data=None):
    headers = {"authorization": f"Token {key}"} if key else {}
    return getattr(client, method)(url, data=data, content_type="application/json", headers=headers)


def detail(pk):
    return reverse("api:opportunity-detail", args=[pk])


ACTIONS = {
    "list": lambda w: ("get", LIST, None),
    "detail": lambda w: ("get", detail(w["b_record"].pk), None),
    "create": lambda w: ("post", LIST, VALID),
    "update": lambda w: ("patch", detail(w["b_record"].pk), {"title": "Renamed"}),
    "publish": lambda w: (
        "post",
        reverse("api:opportunity-publish", args=[w["b_record"].pk]),
        None,
    ),
    "delete": lambda w: ("delete", detail(w["b_record"].pk), None),
}
# Every action is aimed at provider B's published record (create makes a new one).
EXPECTED = {
    "anonymous": {
        "list": 200,
        "detail": 200,
        "create": 401,
        "update": 401,
        "publish": 401,
        "delete": 401,
    },
    "provider A token": {
        "list": 200,
        "detail": 200,
        "create": 201,
        "update": 403,
        "publish": 403,
        "delete": 403,
    },
    "provider B token": {
        "list": 200,
        "detail": 200,
        "create": 201,
        "update": 200,
        "publish": 200,
        "delete": 204,
    },
    "admin": {
        "list": 200,
        "detail": 200,
        "create": 400,
        "update": 200,
        "publish": 200,
        "delete": 204,
    },
}


@pytest.mark.parametrize("caller", list(EXPECTED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(client, world, caller, action):
    key = {"provider A token": world["a_key"], "provider B token": world["b_key"]}.get(caller)
    if caller == "admin":
        client.force_login(get_user_model().objects.create_superuser("root", password="x" * 12))
    method, url, data = ACTIONS[action](world)
    response = call(client, method, url, key, data)
    assert response.status_code == EXPECTED[caller][action], response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json"  # never an HTML page


def test_a_token_creates_only_for_its_own_organisation(client, world):
    response = call(client, "post", LIST, world["a_key"], {**VALID, "provider": world["b"].pk})
    assert response.status_code == 201
    created = LearningOpportunity.objects.get(pk=response.json()["id"])
    assert created.provider == world["a"] and created.status == "draft"
    assert response["Location"] == detail(created.pk)
    assert created.outcomes.get().skills.count() == 1
    assert set(created.languages.values_list("code", flat=True)) == {"ENG", "ITA"}


def test_history_names_the_token_that_wrote(client, world):
    created = call(client, "post", LIST, world["a_key"], VALID).json()
    call(client, "patch", detail(created["id"]), world["a_key"], {"title": "Renamed"})
    history = LearningOpportunity.objects.get(pk=created["id"]).history.all()
    assert history.last().history_type == "+" and history.first().title == "Renamed"
    for entry in history:
        assert entry.history_user is None  # a system, not a person
        assert entry.history_change_reason.startswith("API token Provider A – course system (")


def test_each_token_has_its_own_throttle_budget(client, world, monkeypatch):
    from django.core.cache import cache

    from catalogue.api.throttles import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    statuses = [call(client, "get", LIST, world["a_key"]).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert call(client, "get", LIST, world["b_key"]).status_code == 200  # B's own budget
    assert call(client, "get", LIST).status_code == 200  # anonymous clients count apart
    cache.clear()


def test_reads_with_a_token_or_a_session_are_private(client, world):
    """A shared cache must not keep what a caller read with its credentials, nor answer
    a caller with credentials from an anonymous copy."""
    record = detail(world["b_record"].pk)
    for url in (LIST, record):
        anonymous = call(client, "get", url)
        assert anonymous["Cache-Control"] == "public, max-age=60"
        assert {"Authorization", "Cookie"} <= set(anonymous["Vary"].split(", "))
        with_token = call(client, "get", url, world["a_key"])
        assert with_token.status_code == 200
        assert with_token["Cache-Control"] == "private, max-age=60"
        assert "Authorization" in with_token["Vary"]
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "x"))
    assert call(client, "get", record)["Cache-Control"] == "private, max-age=60"


def test_drafts_of_others_are_invisible(client, world):
    response = call(client, "patch", detail(world["a_record"].pk), world["b_key"], {"title": "x"})
    assert response.status_code == 404


def test_validation_errors_are_400_with_the_admin_rules(client, world):
    response = call(
        client,
        "post",
        LIST,
        world["a_key"],
        {
            **VALID,
            "eqf_level": 9,
            "ects_credits": "-1",
            "default_language": "XXX",
            "isced_fields": ["9998"],  # 9999 is ISCED-F's own "field unknown"
        },
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["eqf_level"] == ["EQF levels go from 1 to 8."]
    assert errors["default_language"] == ["Unknown language value 'XXX'."]
    assert "isced_fields" in errors
    response = call(
        client,
        "post",
        LIST,
        world["a_key"],
        {
            **VALID,
            "ects_credits": "-1",
            "editions": [{"start_date": "2026-05-02", "end_date": "2026-05-01"}],
        },
    )
    errors = response.json()
    assert errors["editions"] == [
        "Edition 1: end date: The end date cannot be before the start date."
    ]
    assert "greater than or equal to 0" in errors["ects_credits"][0]
    assert not LearningOpportunity.objects.filter(provider_reference="STAT-1").exists()


def test_publish_and_archive(client, world):
    own = world["a_record"]
    publish = reverse("api:opportunity-publish", args=[own.pk])
    assert call(client, "post", publish, world["a_key"]).json()["status"] == "published"
    assert client.get(detail(own.pk)).status_code == 200
    archive = reverse("api:opportunity-archive", args=[own.pk])
    assert call(client, "post", archive, world["a_key"]).json()["status"] == "archived"
    assert client.get(detail(own.pk)).status_code == 404


def test_revoked_and_unknown_tokens_are_refused(client, world):
    token = ApiToken.objects.get(organisation=world["a"])
    api_token_revoke(token=token)
    response = call(client, "post", LIST, world["a_key"], VALID)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown or revoked token."}
    assert call(client, "post", LIST, "not-a-token", VALID).status_code == 401
    # Only a digest and a short prefix are stored, never the secret itself.
    assert world["a_key"] not in (token.digest, token.prefix) and len(token.digest) == 64


def test_admin_issues_a_token_shown_once(client):
    organisation = make_organisation("Provider C")
    client.force_login(get_user_model().objects.create_superuser("boss", password="y" * 12))
    response = client.post(
        reverse("admin:catalogue_apitoken_add"),
        {"organisation": organisation.pk, "name": "LMS"},
        follow=True,
    )
    message = next(str(m) for m in response.context["messages"])
    key = message.rsplit(": ", 1)[1]
    assert ApiToken.objects.get(organisation=organisation).prefix == key[:8]
    created = call(client.__class__(), "post", LIST, key, VALID)
    assert created.status_code == 201


def test_token_holders_import_elm_xml_as_their_own(client, world):
    from descriptors.formats.elm_xml import dump_loq

    source = make_opportunity(world["b"], complete=True, title="Exported by B")
    document = dump_loq([LearningOpportunity.objects.with_detail_data().get(pk=source.pk)])
    url = reverse("api:opportunity-import")
    refused = client.post(
        url,
        data=document,
        content_type="application/xml",
        headers={"authorization": f"Token {world['a_key']}"},
    )
    assert refused.status_code == 200
    assert refused.json()["rejected"][0]["reason"] == (
        "this opportunity belongs to another organisation"
    )
    assert refused.json()["created"] == []
    own = client.post(
        url,
        data=document,
        content_type="application/xml",
        headers={"authorization": f"Token {world['b_key']}"},
    )
    assert own.json()["unchanged"] == [source.pk] and own.json()["rejected"] == []
    anonymous = client.post(url, data=document, content_type="application/xml")
    assert anonymous.status_code == 401
    broken = client.post(
        url,
        data=b'<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/"',
        content_type="application/xml",
        headers={"authorization": f"Token {world['b_key']}"},
    )
    assert broken.status_code == 400 and "not well-formed" in broken.json()["document"][0]


def test_publishing_answers_what_the_record_still_lacks_as_warnings(client, world):
    own = world["a_record"]
    answer = call(
        client, "post", reverse("api:opportunity-publish", args=[own.pk]), world["a_key"]
    ).json()
    assert answer["status"] == "published"
    assert {
        "element": "homepage",
        "label": "Web page",
        "required_by": "ELM LearningOpportunity.homepage [1..*]",
    } in answer["warnings"]
    assert {warning["element"] for warning in answer["warnings"]} == set(
        answer["completeness"]["missing"]
    )
    complete = make_opportunity(world["a"], status="draft", complete=True)
    publish = reverse("api:opportunity-publish", args=[complete.pk])
    assert call(client, "post", publish, world["a_key"]).json()["warnings"] == []
