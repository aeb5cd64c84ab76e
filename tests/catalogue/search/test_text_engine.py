"""One contract for every text engine behind search (decision record 0011): the database
engine, the embedded tantivy engine and the OpenSearch adapter (against an in-memory fake),
each put behind the search page and asked what a user asks."""

import io

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from catalogue.search.text_engines import (
    DatabaseTextEngine,
    OpenSearchTextEngine,
    TantivyTextEngine,
    text_engine,
    text_engine_use,
)
from descriptors.models import LearningOpportunity
from tests.builders import make_opportunity
from tests.catalogue.search.fake_opensearch import FakeOpenSearch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

SEARCH = reverse("catalogue:search")
ENGINES = ("database", "tantivy", "opensearch")


def _tantivy(tmp_path):
    pytest.importorskip("tantivy", reason="tantivy is in the bench dependency group")
    return TantivyTextEngine(tmp_path / "tantivy")


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path, settings):
    """Each engine, fed every opportunity, behind the search page for one test."""
    engine = {
        "database": DatabaseTextEngine,
        "tantivy": lambda: _tantivy(tmp_path),
        "opensearch": lambda: OpenSearchTextEngine(FakeOpenSearch(), page=3),
    }[request.param]()
    engine.documents_update(LearningOpportunity.objects.values_list("pk", flat=True))
    # The result cache would answer a query with another engine's earlier answer.
    settings.OCLO_SEARCH_CACHE = False
    previous = text_engine_use(engine)
    yield engine
    text_engine_use(previous)


def found(client, query: str) -> list[str]:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return [
        opportunity.provider_reference for opportunity in response.context["result"].opportunities
    ]


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        ("automatic recognition", "APICE-AR-2026", 1),
        ("impianti fotovoltaici", "CFEL-FV-2026", 1),  # Italian
        ("renovation energetique batiments", "UNIT-RENO-2026", 1),  # accented text
        ("Emacs Lisp", "POK-PY-DATA", 1),  # only an ESCO alternative label of a linked skill
        ("street photography", "LEICA-SP-1", 3),  # English translation of Italian titles
        ("datenanalyse OR webshop", "DHBW-DMH-2026", 5),
        ("credential evaluator", "CIMEA-CE-2026", 1),
    ],
)
def test_every_engine_ranks_the_wanted_record_high(client, engine, query, expected, within):
    assert expected in found(client, query)[:within]


def test_every_engine_keeps_phrases_and_exclusions(client, engine):
    assert "POK-PY-DATA" in found(client, '"data analysis"')
    assert "POK-PY-DATA" in found(client, "analysis data")
    assert "POK-PY-DATA" not in found(client, '"analysis data"')  # the words, not that order
    assert "POK-PY-DATA" in found(client, "data")
    assert "POK-PY-DATA" not in found(client, "data -python")


def test_a_title_match_ranks_above_a_description_match(client, engine):
    in_title = make_opportunity(title="Quokka husbandry", provider_reference="IN-TITLE")
    in_text = make_opportunity(
        title="Animal care",
        description="Covers quokka husbandry among others.",
        provider_reference="IN-DESCRIPTION",
    )
    engine.documents_update([in_title.pk, in_text.pk])
    assert found(client, "quokka husbandry") == ["IN-TITLE", "IN-DESCRIPTION"]


def test_an_edit_and_a_deletion_reach_the_engine(engine):
    opportunity = make_opportunity(title="Axolotl breeding")
    engine.documents_update([opportunity.pk])
    assert engine.search("axolotl").ids.tolist() == [opportunity.pk]

    opportunity.title = "Newt breeding"
    opportunity.save()
    engine.documents_update([opportunity.pk])
    # Engines with typo tolerance may find neighbours of a word: ask about this record only.
    assert opportunity.pk not in engine.search("axolotl").ids
    assert opportunity.pk in engine.search("newt").ids

    pk = opportunity.pk
    opportunity.delete()
    engine.documents_update([pk])
    assert pk not in engine.search("newt").ids


def test_relevance_is_given_for_the_matches_asked_about(engine):
    matches = engine.search("data")
    some = matches.ids[:2]
    ids, scores = matches.relevance(some)
    assert sorted(ids.tolist()) == sorted(some.tolist())
    assert np.all(scores > 0)


@pytest.mark.parametrize("name", ["tantivy", "opensearch"])
def test_a_misspelt_word_still_finds_the_record(client, tmp_path, settings, name):
    engine = _tantivy(tmp_path) if name == "tantivy" else OpenSearchTextEngine(FakeOpenSearch())
    engine.documents_update(LearningOpportunity.objects.values_list("pk", flat=True))
    settings.OCLO_SEARCH_CACHE = False
    previous = text_engine_use(engine)
    try:
        assert found(client, "impianti fotovoltaci")[:1] == ["CFEL-FV-2026"]
        assert found(client, "credentail evaluator")[:1] == ["CIMEA-CE-2026"]
    finally:
        text_engine_use(previous)


def test_both_engines_find_a_misspelt_word_and_other_word_forms(client, tmp_path, settings):
    """Issue 13: the database engine corrects and widens through its vocabulary tables, the
    embedded engine with fuzzy terms and a stemmed field."""
    settings.OCLO_SEARCH_CACHE = False
    assert found(client, "impianti fotovoltaci")[:1] == ["CFEL-FV-2026"]
    assert "LEICA-SP-1" in found(client, "photographing")


def test_the_embedded_engine_finds_other_word_forms(client, tmp_path, settings):
    engine = _tantivy(tmp_path)
    engine.documents_update(LearningOpportunity.objects.values_list("pk", flat=True))
    settings.OCLO_SEARCH_CACHE = False
    previous = text_engine_use(engine)
    try:
        assert "LEICA-SP-1" in found(client, "photographing")
    finally:
        text_engine_use(previous)


@pytest.fixture
def tantivy_configured(settings, tmp_path):
    """Search configured as a site would: OCLO_TEXT_ENGINE=tantivy, an empty index folder."""
    pytest.importorskip("tantivy", reason="tantivy is in the bench dependency group")
    settings.OCLO_TEXT_ENGINE = "tantivy"
    settings.OCLO_TEXT_INDEX_DIR = tmp_path / "text-index"
    settings.OCLO_SEARCH_CACHE = False


@pytest.mark.usefixtures("tantivy_configured")
def test_the_configured_index_builds_itself_then_follows_every_edit(client):
    # The first search indexes the whole catalogue.
    assert found(client, "impianti fotovoltaci")[:1] == ["CFEL-FV-2026"]

    opportunity = make_opportunity(title="Axolotl breeding", provider_reference="AXO")
    assert found(client, "axolotl") == ["AXO"]

    opportunity.title = "Newt breeding"
    opportunity.save()
    assert "AXO" not in found(client, "axolotl")
    assert found(client, "newt breeding")[:1] == ["AXO"]

    opportunity.delete()
    assert "AXO" not in found(client, "newt breeding")


def test_an_unknown_engine_is_a_configuration_error(settings):
    settings.OCLO_TEXT_ENGINE = "elasticsearch"
    with pytest.raises(ImproperlyConfigured, match='OCLO_TEXT_ENGINE is "database" or "tantivy"'):
        text_engine()


@pytest.mark.usefixtures("tantivy_configured")
def test_while_another_process_writes_the_index_search_answers_from_it_as_it_is(client, settings):
    assert "CFEL-FV-2026" in found(client, "fotovoltaici")  # builds the index
    # What a worker in another process holds while it applies the log.
    writer = TantivyTextEngine(settings.OCLO_TEXT_INDEX_DIR).index.writer(15_000_000, 1)
    make_opportunity(title="Axolotl breeding", provider_reference="AXO")
    assert found(client, "axolotl") == []
    assert "CFEL-FV-2026" in found(client, "fotovoltaici")

    del writer  # its lock goes with it
    assert found(client, "axolotl") == ["AXO"]


@pytest.mark.usefixtures("tantivy_configured")
def test_a_deploy_step_builds_the_index_before_the_first_search(settings):
    """``update_text_index`` indexes the catalogue, then only what the log has since;
    ``--rebuild`` indexes everything again and drops what is gone."""
    stored = LearningOpportunity.objects.count()
    assert (
        _update_text_index() == f"{stored} opportunities indexed in {settings.OCLO_TEXT_INDEX_DIR}"
    )
    assert _update_text_index().startswith("0 opportunities indexed")
    index = TantivyTextEngine(settings.OCLO_TEXT_INDEX_DIR)
    assert len(index.search_all_ids()) == stored

    make_opportunity(title="Axolotl breeding", provider_reference="AXO")
    assert _update_text_index().startswith("1 opportunity indexed")
    index = TantivyTextEngine(settings.OCLO_TEXT_INDEX_DIR)
    assert len(index.search_all_ids()) == stored + 1

    LearningOpportunity.objects.filter(provider_reference="AXO").delete()
    assert _update_text_index("--rebuild").startswith(f"{stored + 1} opportunities indexed")
    index = TantivyTextEngine(settings.OCLO_TEXT_INDEX_DIR)
    assert len(index.search_all_ids()) == stored


def test_with_the_database_engine_there_is_nothing_to_update(settings):
    settings.OCLO_TEXT_ENGINE = "database"
    assert _update_text_index() == (
        'OCLO_TEXT_ENGINE="database" keeps its text index in the database: nothing to do '
        "here (rebuild_search_index rebuilds it)."
    )


def _update_text_index(*arguments: str) -> str:
    output = io.StringIO()
    call_command("update_text_index", *arguments, stdout=output)
    return output.getvalue().strip()
