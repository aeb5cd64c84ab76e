"""Search as you type: the API the search box asks, on the demo catalogue."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

SUGGESTIONS = reverse("api:search-suggestions")


def suggestions(client, term: str) -> list[dict]:
    response = client.get(SUGGESTIONS, {"q": term})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_three_letters_suggest_titles_that_lead_to_the_record(client):
    cyber = suggestions(client, "cyb")
    assert cyber[0]["label"] == "Cybersecurity essentials for small businesses"
    assert client.get(cyber[0]["url"]).status_code == 200


def test_every_typed_word_begins_a_word_of_the_title(client):
    labels = [s["label"] for s in suggestions(client, "data pyth")]
    assert labels[:1] == ["Data analysis with Python: first steps"]
    assert "Data protection law in practice" not in labels


def test_skills_providers_and_fields_filter_the_search_with_their_counts(client):
    found = suggestions(client, "photography")
    skill = next(s for s in found if s["kind"] == "skill")
    assert skill["url"].startswith("/?skill=") and skill["count"] >= 1
    page = client.get(skill["url"])
    assert page.context["result"].total == skill["count"]
    provider = next(s for s in suggestions(client, "leica") if s["kind"] == "provider")
    assert client.get(provider["url"]).context["result"].total == provider["count"]
    field = next(s for s in suggestions(client, "engineer") if s["kind"] == "field")
    assert field["url"].startswith("/?isced=")


def test_one_letter_suggests_nothing_and_drafts_never_show(client):
    assert suggestions(client, "d") == []
    assert all("refugees" not in s["label"] for s in suggestions(client, "recognition"))


def test_an_overlong_term_gets_a_400(client):
    response = client.get(SUGGESTIONS, {"q": "x" * 201})
    assert response.status_code == 400
    assert response.json()["q"] == ["At most 200 characters."]


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_translated_title_is_suggested_by_the_title_that_was_typed(client, language):
    """Leica's courses are titled in Italian with English translations: either title finds
    them, and each suggestion shows the title typed."""
    client.cookies["django_language"] = language
    english = [s["label"] for s in suggestions(client, "street photography: shape")]
    assert english[:1] == ["Street photography: shape and content"]
    italian = [s["label"] for s in suggestions(client, "fotografia di strada: forma")]
    assert italian[:1] == ["Fotografia di strada: forma e contenuto"]
    urls = {s["url"] for s in suggestions(client, "street photography: shape")}
    assert urls & {s["url"] for s in suggestions(client, "fotografia di strada: forma")}
