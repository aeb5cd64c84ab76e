"""Hostile input that used to answer 500: each now gets a clear 4xx (run on PostgreSQL, where
NUL in text is an error of the database, to see the original failures)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue
from recognition.models import TargetCourse
from tests.builders import (
    make_officer,
    make_opportunity,
    make_organisation,
    make_provider_user,
    text_of,
)

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "The address contains a NUL character (%00)"
PHOTOGRAPHY_KEY = "38509fa4-7c06-4a4b-9622-f521f03c37b8"


@pytest.fixture
def superuser_client(client):
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password")
    )
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/?skill=%00",
        "/?skill=abc%00def&q=data",
        "/?skill_term=photo%00",
        "/skills/suggestions/?skill_term=%00",
        "/browse/skills/?skill_term=%00",
        "/browse/skills/abc%00def/",
        "/recognition/decisions/?outcome_text=%00",
    ],
)
def test_nul_in_a_page_address_is_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.text


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/esco-skills/?q=%00", "q"),
        ("/api/v1/learning-opportunities/?eqf=6&skill=a%00", "skill"),
        ("/api/v1/learning-opportunities/?%00=1", "non_field_errors"),
    ],
)
def test_nul_in_an_api_address_is_a_400_naming_the_parameter(client, url, name):
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()[name][0]


@pytest.mark.parametrize(
    "query", ["q=%00", "status__exact=%00", "provider__id__exact=%00", "eqf_level__level=1%00"]
)
def test_nul_in_admin_list_filters_is_a_clear_400(superuser_client, query):
    response = superuser_client.get(
        reverse("admin:descriptors_learningopportunity_changelist") + "?" + query
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.text


def test_nul_in_an_api_write_body_is_a_400_naming_the_problem(client):
    provider = make_organisation()
    token = api_token_issue(token=ApiToken(organisation=provider, name="course system"))
    response = client.post(
        reverse("api:opportunity-list"),
        data=json.dumps({"title": "Data\u0000science", "default_language": "ENG", "x": 1}),
        content_type="application/json",
        headers={"authorization": f"Token {token}"},
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["Texts cannot contain the NUL character (\\u0000)."]}


def test_an_empty_xml_import_is_a_400(client):
    provider = make_organisation()
    token = api_token_issue(token=ApiToken(organisation=provider, name="course system"))
    for body in (b"", b"  \n"):
        response = client.post(
            reverse("api:opportunity-import"),
            data=body,
            content_type="application/xml",
            headers={"authorization": f"Token {token}"},
        )
        assert response.status_code == 400
        assert response.json() == {
            "document": ["The request body is empty: send an ELM LOQ XML document."]
        }


def test_the_organisation_history_page_opens(superuser_client):
    organisation = make_organisation("Università Iuav di Venezia")
    response = superuser_client.get(
        reverse("admin:descriptors_organisation_history", args=[organisation.pk])
    )
    assert response.status_code == 200
    assert "Università Iuav di Venezia" in response.text


@pytest.fixture
def compare(client):
    """An officer of an institution with two members, on the compare page of its course."""
    institution = make_organisation("Università Iuav di Venezia")
    officer = make_officer(institution)
    make_officer(institution)
    course = TargetCourse.objects.create(institution=institution, code="AV-1", title="Fotografia")
    client.force_login(officer)
    url = reverse("admin:recognition_targetcourse_compare", args=[course.pk])
    return client, url, institution


def test_compare_page_with_an_opportunity_of_an_organisation_with_two_members(compare):
    client, url, institution = compare
    provider = make_organisation("Leica Camera Italia")
    make_provider_user(provider)
    make_provider_user(provider)
    published = make_opportunity(provider, title="Street photography")
    own_draft = make_opportunity(institution, title="Our own draft", status="draft")
    for opportunity in (published, own_draft):
        response = client.get(url, {"opportunity": opportunity.pk})
        assert response.status_code == 200
        assert opportunity.title in response.text


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999999", "0"])
def test_compare_page_with_an_id_that_names_nothing_is_404(compare, value):
    client, url, _ = compare
    assert client.get(url, {"opportunity": value}).status_code == 404


def test_compare_page_does_not_show_another_providers_draft(compare):
    client, url, _ = compare
    foreign_draft = make_opportunity(title="Someone else's draft", status="draft")
    response = client.get(url, {"opportunity": foreign_draft.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", "9" * 30, "0"])
@pytest.mark.parametrize("path", ["/", "/api/v1/learning-opportunities/"])
def test_an_id_facet_value_that_names_no_record_is_refused_clearly(client, path, value):
    """ "²" passes str.isdigit() but not int(): the provider facet's labels used to crash on it."""
    make_opportunity(make_organisation("Real provider"))
    response = client.get(path, {"provider": value})
    assert response.status_code == 400
    assert f"Unknown value: {value!r}." in (
        response.json()["provider"][0] if path.startswith("/api/") else text_of(response)
    )
