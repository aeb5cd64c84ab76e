"""Lexical ESCO skill suggestions for a free-text outcome, in the outcome's language, with the
words that led to each; nothing is linked."""

from pathlib import Path

import pytest

from descriptors.models import LearningOutcome
from taxonomies.esco import esco_import
from taxonomies.suggestions import skills_suggest

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "esco_sample"  # with Italian labels


@pytest.fixture
def sample_esco():
    esco_import(SAMPLE)


def _suggest(client, **body):
    return client.post("/api/v1/esco-skills/suggest/", body, content_type="application/json")


def test_suggestions_rank_skills_and_say_which_words_led_to_them(sample_esco):
    suggestions = skills_suggest("Write programs in Emacs Lisp and work in teams.", "en")

    labels = [suggestion.skill.preferred_label for suggestion in suggestions]
    assert labels[:2] == ["computer programming", "work in teams"]
    assert suggestions[0].words == ["Emacs", "Lisp"]
    assert suggestions[1].words == ["work", "teams"]
    assert skills_suggest("the and of", "en") == []


def test_the_outcome_language_labels_count(sample_esco):
    suggestions = skills_suggest("Conoscenze di programmazione informatica", "it")
    assert suggestions[0].skill.preferred_label == "computer programming"
    assert suggestions[0].words == ["programmazione", "informatica"]


def test_api_suggests_without_linking_anything(client, sample_esco):
    links = LearningOutcome.skills.through.objects.count()
    answer = _suggest(client, text="Programmazione informatica per il web", language="it")

    assert answer.status_code == 200
    body = answer.json()
    assert body["method"] == "lexical"
    assert body["results"][0]["label"] == "computer programming"
    assert body["results"][0]["words"] == ["Programmazione", "informatica"]
    assert LearningOutcome.skills.through.objects.count() == links


def test_api_refuses_bad_input_with_the_field(client, sample_esco):
    assert _suggest(client, language="it").json() == {"text": ["This field is required."]}
    answer = _suggest(client, text="x", language="italian")
    assert answer.status_code == 400
    assert answer.json() == {"language": ["Give a two-letter ISO 639-1 language code, e.g. it."]}
    assert _suggest(client, text="x" * 2001).status_code == 400


def test_a_body_that_is_not_json_is_rejected_input(client, sample_esco):
    answer = client.post(
        "/api/v1/esco-skills/suggest/", "not json", content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["non_field_errors"][0].startswith("JSON parse error")
