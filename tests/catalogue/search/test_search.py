"""Search relevance, web-search syntax, suggestions and facet semantics on the demo catalogue."""

import pytest
from django.db import connection
from django.forms import MultiWidget
from django.http import QueryDict
from django.urls import reverse
from django_filters import FilterSet

from catalogue.filters import OpportunitySearchFilterSet
from catalogue.search import text_matching
from descriptors.models import LearningOpportunity
from descriptors.text import normalize
from tests.builders import make_opportunity, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

SEARCH = reverse("catalogue:search")


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content[:500]
    return response.context["result"]


def references(result) -> list[str]:
    return [opportunity.provider_reference for opportunity in result.opportunities]


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        ("automatic recognition", "APICE-AR-2026", 1),
        ("impianti fotovoltaici", "CFEL-FV-2026", 1),  # Italian
        ("renovation energetique batiments", "UNIT-RENO-2026", 1),  # no accents, accented text
        ("Emacs Lisp", "POK-PY-DATA", 1),  # only an ESCO alternative label of a linked skill
        ("street photography", "LEICA-SP-1", 3),  # English translation of Italian titles
        ("datenanalyse OR webshop", "DHBW-DMH-2026", 5),
        ("credential evaluator", "CIMEA-CE-2026", 1),
    ],
)
def test_the_right_record_ranks_high(client, query, expected, within):
    found = references(search(client, q=query))
    assert expected in found[:within], found


def test_phrase_and_exclusion(client):
    assert "POK-PY-DATA" in references(search(client, q='"data analysis"'))
    assert "POK-PY-DATA" in references(search(client, q="analysis data"))
    assert search(client, q='"analysis data"').total == 0  # the words, not in that order
    everything_on_data = references(search(client, q="data"))
    without_python = references(search(client, q="data -python"))
    assert "POK-PY-DATA" in everything_on_data and "POK-PY-DATA" not in without_python


def test_words_only_to_leave_out_find_every_record_without_them(client):
    """ "-python", as the search box's own example suggests: everything but those records."""
    with_python = search(client, q="python", verbatim="true")
    without = search(client, q="-python")
    assert without.total == search(client).total - with_python.total > 0
    assert not set(references(without)) & set(references(with_python))
    fewer = search(client, q='-python -"data analysis"')
    assert 0 < fewer.total < without.total
    assert "POK-PY-DATA" not in references(fewer)
    at_six = search(client, q="python", verbatim="true", eqf="6").total
    assert search(client, q="-python", eqf="6").total == search(client, eqf="6").total - at_six


@pytest.mark.parametrize("query", ['""', "-", '" "'])
def test_a_query_without_words_filters_nothing(client, query):
    assert search(client, q=query, eqf="6").total == search(client, eqf="6").total


@pytest.mark.parametrize(
    "query", ["Data analysis with Python - first steps", "data – python", "python -- data"]
)
def test_a_dash_standing_alone_separates_words_and_excludes_nothing(client, query):
    """Titles are pasted as written ("MicroStation - Niveles"): only "-word" excludes."""
    assert references(search(client, q=query))[:1] == ["POK-PY-DATA"]


def test_a_misspelt_word_is_corrected_and_the_page_says_so(client):
    result = search(client, q="impianti fotovoltaci")
    assert references(result)[:1] == ["CFEL-FV-2026"]
    assert result.corrections == {"fotovoltaci": "fotovoltaici"}
    page = text_of(client.get(SEARCH, {"q": "impianti fotovoltaci"}))
    assert "Showing results for impianti fotovoltaici" in page
    assert "Search instead for impianti fotovoltaci" in page
    verbatim = search(client, q="impianti fotovoltaci", verbatim="true")
    # As typed, no record has both words: those with one of them come, none corrected.
    assert verbatim.corrections == {} and verbatim.optional_words


@pytest.mark.parametrize(
    ("query", "expected", "corrections"),
    [
        ("phtography street", "LEICA-SP-1", {"phtography": "photography"}),  # a dropped letter
        ("cybersecurtiy", "POLIMI-CYBER", {"cybersecurtiy": "cybersecurity"}),  # a swap
        ("renovaton energetique", "UNIT-RENO-2026", {"renovaton": "renovation"}),
        # A swap in a short word: it shares one trigram with "data", which the index missed.
        ("dtaa analysis", "POK-PY-DATA", {"dtaa": "data"}),
    ],
)
def test_typos_find_the_record(client, query, expected, corrections):
    result = search(client, q=query)
    assert expected in references(result)[:3], references(result)
    assert result.corrections == corrections


def test_word_forms_find_the_record_but_rank_below_the_form_typed(client):
    assert references(search(client, q="sustainability tourism"))[:1] == ["UM-MT-TOUR"]
    assert "LEICA-SP-1" in references(search(client, q="photographies"))
    assert references(search(client, q="impianto fotovoltaico"))[:1] == ["CFEL-FV-2026"]


def test_words_no_record_has_together_rank_records_by_how_many_they_have(client):
    result = search(client, q="cybersecurity python zebra")
    found = references(result)
    assert result.optional_words and result.total >= 2
    assert {"POK-PY-DATA", "POLIMI-CYBER"} <= set(found)
    page = text_of(client.get(SEARCH, {"q": "cybersecurity python zebra"}))
    assert "No learning opportunity has all of these words" in page


def test_a_few_records_with_every_word_come_first_then_those_missing_one(client):
    result = search(client, q="data protection law")
    assert references(result) == ["UM-MT-GDPR", "POLIMI-CYBER", "UNED-CDD-2026"]
    assert result.every_word_total == 1
    page = text_of(client.get(SEARCH, {"q": "data protection law"}))
    assert "Only 1 learning opportunity has all of these words: it comes first" in page
    body = client.get("/api/v1/learning-opportunities/", {"q": "data protection law"}).json()
    assert body["count"] == 3
    assert body["query"]["all_words_required"] is False
    assert body["query"]["all_words_count"] == 1


def test_of_many_matches_those_with_every_word_still_come_first(client, monkeypatch):
    """Beyond ``FULL_RANK_LIMIT`` matches only the title matches are ranked on their words:
    a record with every word in its description still comes before those missing one."""
    monkeypatch.setattr(text_matching, "FULL_RANK_LIMIT", 1)
    make_opportunity(title="Beekeeping", description="Alpaca, llama and vicuna wool.")
    make_opportunity(title="Alpaca and llama farming")
    make_opportunity(title="Llama and alpaca trekking")
    result = search(client, q="alpaca llama vicuna")
    assert result.optional_words and result.total == 3
    assert result.opportunities[0].title == "Beekeeping"


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("data protection law", "Only 1 learning opportunity has all of these words; the others"),
        ("cybersecurity python zebra", "No learning opportunity has all of these words; these"),
    ],
)
def test_sorted_otherwise_the_page_does_not_say_which_come_first(client, query, sentence):
    # Sorted by date, the records with every word are not first: the page must not say so.
    assert sentence in text_of(client.get(SEARCH, {"q": query, "sort": "newest"}))


def test_two_words_that_some_record_has_together_are_not_padded(client):
    # Records with either word alone would bury the answer: "data" is in many records.
    result = search(client, q="data protection")
    assert not result.optional_words
    assert "POK-PY-DATA" not in references(result)
    assert "POK-PY-DATA" in references(search(client, q="data"))


def test_the_text_search_leaves_the_database_session_as_it_found_it(client):
    """It keeps PostgreSQL's planner off sequential scans and parallel workers for its own
    queries only (2 workers is PostgreSQL's default); the test runs inside a transaction, as a
    caller's code may."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    result = search(client, q="data protection law")  # three words, each matched alone too
    assert references(result)[0] == "UM-MT-GDPR"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), "
            "current_setting('max_parallel_workers_per_gather')"
        )
        assert cursor.fetchone() == ("on", "2")


def test_an_exact_title_ranks_above_longer_titles_that_contain_it(client):
    found = references(search(client, q="Data protection law in practice"))
    assert found[:1] == ["UM-MT-GDPR"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Data-analysis", "POK-PY-DATA"), ("l'eau en ville", "UNIT-EAU")],
)
def test_punctuation_inside_words_and_elisions(client, query, expected):
    assert expected in references(search(client, q=query))[:3]


def test_the_api_says_which_words_were_corrected(client):
    body = client.get("/api/v1/learning-opportunities/", {"q": "impianti fotovoltaci"}).json()
    assert body["query"] == {
        "text": "impianti fotovoltaci",
        "corrected": "impianti fotovoltaici",
        "corrections": {"fotovoltaci": "fotovoltaici"},
        "all_words_required": True,
        "all_words_count": 1,
    }
    assert body["results"][0]["title"] == "Installazione e manutenzione di impianti fotovoltaici"


def test_snippets_highlight_the_query(client):
    result = search(client, q="ransomware")
    (opportunity,) = result.opportunities
    assert "<mark>ransomware</mark>" in result.snippets[opportunity.pk]


def test_a_snippet_is_in_the_language_of_its_card(client):
    """LEICA-SP-1 is Italian with an English translation: an English card quotes the English
    description, an Italian one the Italian, and a card never quotes the other language."""
    english = client.get(SEARCH, {"q": "framing"}).text
    assert "lenses and <mark>framing" in english

    found_in_italian = client.get(SEARCH, {"q": "fotografia strada"})
    assert "Prima micro-credenziale" not in found_in_italian.text
    assert "The first of three stackable micro-credentials" in found_in_italian.text

    italian = client.get("/it/", {"q": "fotografia strada"}).text
    assert "percorso di <mark>fotografia</mark> di <mark>strada" in italian


@pytest.mark.parametrize("prefix", ["", "/it"])
def test_sorted_by_title_the_cards_read_in_alphabetical_order_in_each_language(client, prefix):
    """Translated titles sort where the card shows them: in English, CIMEA's Italian course
    "Corso professionale..." is "Professional course..." and sorts among the Ps."""
    shown, page = [], 1
    while True:
        result = client.get(f"{prefix}/", {"sort": "title", "page": page}).context["result"]
        language = "it" if prefix else "en"
        shown += [opportunity.localized("title", language) for opportunity in result.opportunities]
        if page == result.pages:
            break
        page += 1
    assert len(shown) == LearningOpportunity.objects.published().count()
    assert shown == sorted(shown, key=normalize)
    assert any(title.startswith("Street photography") for title in shown) == (prefix == "")


def test_a_renamed_translation_sorts_by_its_new_title_at_once(client):
    first = client.get("/", {"sort": "title"}).context["result"].opportunities[0]
    cimea = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    assert first != cimea
    english = cimea.translations.get(language__short_code="en")
    english.title = "Aardvark course for credential evaluators"
    english.save()

    first = client.get("/", {"sort": "title"}).context["result"].opportunities[0]
    assert first == cimea
    assert client.get("/it/", {"sort": "title"}).context["result"].opportunities[0] != cimea


def test_drafts_never_match(client):
    assert "CIMEA-DRAFT" not in references(search(client, q="refugees"))


def test_broad_field_includes_everything_below_it(client):
    broad = search(client, isced="07")
    detailed = {o.provider_reference for o in search(client, isced="0713").opportunities}
    assert detailed <= set(references(broad))
    assert broad.total > len(detailed)


def test_skill_group_includes_its_narrower_skills(client):
    from taxonomies.models import EscoSkill

    photography = EscoSkill.objects.get(preferred_label="photography")
    group = photography.broader.exclude(concept_type="KnowledgeSkillCompetence").first() or (
        photography.broader.first()
    )
    result = search(client, skill=group.uri.rsplit("/", 1)[-1])
    assert {"LEICA-SP-1", "LEICA-SP-3"} <= set(references(result))


def test_disjunctive_counts_keep_other_values_of_a_chosen_facet(client):
    result = search(client, eqf="6")
    eqf = next(facet for facet in result.facets if facet.key == "eqf")
    counts = {value.key: value.count for value in eqf.values}
    assert counts["6"] == result.total
    assert counts["7"] > 0  # still offered, with the number it would add
    assert {value.key for value in eqf.values if value.selected} == {"6"}


def test_invalid_parameters_get_a_clear_400(client):
    response = client.get(SEARCH, {"sort": "price-desc", "max_fee": "-3"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert "greater than or equal to 0" in response.text


def test_a_bad_parameter_is_left_out_and_the_others_still_apply(client):
    """An old bookmark or a hand-edited link: the page says which parameter it could not use,
    by its name on the page, and shows the search without it, not the whole catalogue."""
    at_six = search(client, eqf="6")
    response = client.get(SEARCH, {"eqf": "6", "max_fee": "abc", "q": "data"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Some filters could not be used: Maximum fee: Enter a number." in page
    assert response.context["result"].total == search(client, eqf="6", q="data").total
    assert response.context["result"].total < at_six.total
    assert {chip.label for chip in response.context["chips"]} == {"“data”", "EQF level 6"}
    assert all("max_fee" not in chip.remove_url for chip in response.context["chips"])


def test_fee_and_date_chips_read_as_the_page_writes_them(client):
    response = client.get(SEARCH, {"max_fee": "1000", "start_from": "2026-01-01"})
    chips = [chip.label for chip in response.context["chips"]]
    assert chips == ["Fee up to €1,000", "From 1 Jan 2026"]


def test_sorting(client):
    by_ects = [o.ects_credits for o in search(client, sort="ects").opportunities]
    numbers = [value for value in by_ects if value is not None]
    assert numbers == sorted(numbers, reverse=True)
    titles = [o.title.lower() for o in search(client, sort="title").opportunities]
    assert titles == sorted(titles)


def test_pagination_and_chips(client):
    first = search(client, page=1)
    second = search(client, page=2)
    assert first.total == LearningOpportunity.objects.published().count()
    assert not {o.pk for o in first.opportunities} & {o.pk for o in second.opportunities}
    page = client.get(SEARCH, {"q": "data", "eqf": ["5", "6"], "page": "2"})
    chips = {chip.label: chip.remove_url for chip in page.context["chips"]}
    assert chips["EQF level 5"] == "?q=data&eqf=6"
    assert chips["“data”"] == "?eqf=5&eqf=6"


def test_a_page_past_the_last_says_so_and_leads_to_the_last(client):
    page = text_of(client.get(SEARCH, {"eqf": "6", "page": "9"}))
    at_six = search(client, eqf="6")
    assert (
        f"Page 9 is past the last page of these results. Go to the last page ({at_six.pages})"
        in page
    )
    assert "No learning opportunity matches" not in page


def test_no_results_offers_to_drop_filters_with_their_counts(client):
    page = client.get(SEARCH, {"q": "photography", "language": "DEU"})
    assert page.context["result"].total == 0
    assert "No learning opportunity matches all of this." in page.text
    chips = {chip.key: chip.total_without for chip in page.context["chips"]}
    assert chips["language"] >= 3  # dropping the language brings back the Leica path
    assert chips["q"] >= 1


def test_skill_type_ahead_searches_all_of_esco(client):
    response = client.get(reverse("catalogue:skill-suggestions"), {"skill_term": "photo"})
    assert "photography" in response.text
    assert 'name="skill"' in response.text


def test_facets_say_how_many_more_values_and_how_many_results_have_none(client):
    body = client.get("/api/v1/learning-opportunities/", {"facets": "true"}).json()
    facets = {facet["facet"]: facet for facet in body["facets"]}
    published = LearningOpportunity.objects.published()
    assert facets["ects"]["missing"] == published.filter(ects_credits__isnull=True).count() > 0
    assert facets["eqf"]["missing"] == published.filter(eqf_level__isnull=True).count()
    skills = facets["skill"]
    assert len(skills["values"]) == 15 and skills["more"] > 0
    page = text_of(client.get(SEARCH))
    assert f"and {skills['more']} more: find one by name" in page
    assert f"{facets['ects']['missing']} results have none" in page


@pytest.mark.parametrize("query", ["", "utm_source=newsletter", "page=2&page_size=5"])
def test_a_search_naming_no_filter_is_the_search_with_every_filter_left_out(query):
    """Such a search skips cleaning the form: it must mean what the cleaned form means."""
    fields = OpportunitySearchFilterSet().form.fields.values()
    assert not any(isinstance(field.widget, MultiWidget) for field in fields)
    quick, cleaned = (OpportunitySearchFilterSet(QueryDict(query)) for _ in range(2))
    assert quick.is_valid() and FilterSet.is_valid(cleaned)
    assert quick.filters_nothing() and not hasattr(quick.form, "cleaned_data")
    assert quick.params() == cleaned.params()
    named = OpportunitySearchFilterSet(QueryDict(f"{query}&eqf=6&sort=start"))
    assert not named.filters_nothing() and named.is_valid()
    assert named.params().facets["eqf"] == {"6"} and named.params().sort == "start"


def test_equally_relevant_results_put_the_more_complete_then_the_newer_first(client):
    make_opportunity(title="Zeta apiculture", complete=True)
    make_opportunity(title="Alpha apiculture")
    make_opportunity(title="Beta apiculture")  # changed after Alpha
    result = search(client, q="apiculture")
    assert [opportunity.title for opportunity in result.opportunities] == [
        "Zeta apiculture",
        "Beta apiculture",
        "Alpha apiculture",
    ]
