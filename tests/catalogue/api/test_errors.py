"""The API's error contract: JSON in one of two shapes everywhere, and every error an operation
answers is listed under it in the schema."""

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue
from tests.builders import make_opportunity, make_organisation

pytestmark = pytest.mark.django_db


def schema_responses(client, path: str, method: str) -> dict:
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    return schema["paths"][path][method]["responses"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/no-such-endpoint/"),
        ("get", "/api/nothing"),
        ("get", "/api/v1/learning-opportunities/not-a-number/"),
        ("delete", "/api/v1/recognition/agreements/null,null/"),
        ("post", "/api/v2/learning-opportunities/"),
    ],
)
def test_unknown_api_paths_answer_json_404_never_an_html_page(settings, debug, method, path):
    settings.DEBUG = debug  # with DEBUG on, Django's own 404 is an HTML debug page
    client = Client(enforce_csrf_checks=True)  # a refused CSRF check is an HTML page too
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_known_api_path_without_its_slash_is_redirected_or_named(client):
    response = client.get("/api/v1/providers?page=2")
    assert response.status_code == 301 and response["Location"] == "/api/v1/providers/?page=2"
    refused = client.post("/api/v1/providers")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Not found. Did you mean /api/v1/providers/ ?"}


def test_a_method_a_path_does_not_offer_is_405_json(client):
    response = client.delete(reverse("api:eqf-levels"))
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_recognition_check_of_unknown_ids_is_a_documented_404(client):
    """The bug of issue 12: the check answered 404, which its operation did not list."""
    organisation = make_organisation("Checking University")
    response = client.get(
        reverse("recognition-api:check"), {"opportunity": 0, "institution": organisation.pk}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "No published learning opportunity has that id."}
    documented = schema_responses(client, "/api/v1/recognition/check/", "get")
    assert documented["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "400" in documented


def test_operations_list_the_errors_their_views_declare_and_only_those(client):
    agreement = schema_responses(client, "/api/v1/recognition/agreements/{id}/", "put")
    assert "409" in agreement and "approved agreement" in agreement["409"]["description"]
    # A list without an id in its path, filters or pages cannot answer 404; nor a read 403.
    assert set(schema_responses(client, "/api/v1/eqf-levels/", "get")) == {"200", "429", "500"}
    provider = schema_responses(client, "/api/v1/providers/{id}/", "get")
    assert provider["404"]["description"] == "No organisation has that id."


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/recognition/agreements/?institution=" + "9" * 30, "institution"),
        ("/api/v1/recognition/check/?opportunity=²&institution=1", "opportunity"),
    ],
)
def test_ids_in_queries_that_name_nothing_are_400(client, url, field):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {field: ["Give an id."]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/recognition/decisions/{}/",
        "/api/v1/recognition/agreements/{}/",
        "/api/v1/pathways/{}/",
        "/api/v1/providers/{}/",
    ],
)
def test_ids_in_paths_beyond_the_database_range_are_404(client, path):
    response = client.get(path.format(10**30))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_body_that_is_not_json_is_400_in_the_field_errors_shape(client):
    secret = api_token_issue(token=ApiToken(organisation=make_organisation(), name="system"))
    response = client.post(
        reverse("api:opportunity-list"),
        data="{not json",
        content_type="application/json",
        headers={"authorization": f"Token {secret}"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert "JSON parse error" in response.json()["non_field_errors"][0]


def test_a_model_rule_broken_through_the_api_is_400_not_500(client, monkeypatch):
    """Any model ValidationError that reaches the handler is rejected input."""
    from django.core.exceptions import ValidationError

    from catalogue.api import opportunities

    organisation = make_organisation()
    secret = api_token_issue(token=ApiToken(organisation=organisation, name="system"))
    draft = make_opportunity(organisation, status="draft")

    def refuse(**kwargs):
        raise ValidationError({"end_date": ["The end date cannot be before the start date."]})

    monkeypatch.setattr(opportunities, "opportunity_archive", refuse)
    response = client.post(
        reverse("api:opportunity-archive", args=[draft.pk]),
        headers={"authorization": f"Token {secret}"},
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date cannot be before the start date."]}
