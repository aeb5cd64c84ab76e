"""Search as a hostile visitor uses it: words of unpublished records, huge query strings."""

import pytest
from django.urls import reverse

from catalogue.filters import MAX_VALUES_PER_FACET
from catalogue.search.filter_chips import MAX_CHIPS
from descriptors.models import LearningOpportunity
from taxonomies.models import IscedField
from tests.builders import make_opportunity, make_organisation

pytestmark = pytest.mark.django_db

SEARCH = reverse("catalogue:search")
Status = LearningOpportunity.Status


@pytest.fixture
def catalogue_with_secrets(db):
    """One published record, and marker words that only drafts and archived records contain."""
    provider = make_organisation("Fondazione Segreta")
    make_opportunity(provider, title="Landscape photography outdoors")
    markers = {
        "zorblaxian": Status.DRAFT,
        "quintessorial": Status.DRAFT,
        "vermiculated": Status.ARCHIVED,
        "plenipotentiary": Status.ARCHIVED,
    }
    for marker, status in markers.items():
        make_opportunity(provider, title=f"Project {marker} outdoors", status=status)
    return markers


def test_spelling_corrections_never_reveal_words_of_drafts_or_archived_records(
    client, catalogue_with_secrets
):
    for marker in catalogue_with_secrets:
        typo = marker[:-2] + "qq"
        for query in (typo, f"{typo} outdoors"):
            page = client.get(SEARCH, {"q": query})
            assert page.status_code == 200
            assert page.context["result"].corrections == {}
            assert marker not in page.text
    # Corrections still work for the published vocabulary.
    corrected = client.get(SEARCH, {"q": "photogrqphy"}).context["result"]
    assert corrected.corrections == {"photogrqphy": "photography"}
    assert corrected.total == 1


def test_unknown_parameters_make_no_chips_and_are_dropped_from_links(client):
    make_opportunity(title="Data analysis with Python")
    page = client.get(SEARCH, {"q": "data", "utm_source": "mail", "x" * 50: "y"})
    chips = page.context["chips"]
    assert [chip.key for chip in chips] == ["q"]
    assert chips[0].remove_url == "?"
    assert "utm_source" not in page.context["csv_query"]


def test_a_thousand_parameters_give_a_bounded_page(client):
    make_opportunity(title="Data analysis with Python")
    fields = IscedField.objects.order_by("code").values_list("code", flat=True)
    query = "&".join(
        [f"junk{number}=1" for number in range(500)]
        + [f"isced={code}" for code in fields[:MAX_VALUES_PER_FACET]]
        + [f"eqf={number}" for number in range(1, 9)]
        + [f"language=L{number}" for number in range(100)]
    )
    page = client.get(f"{SEARCH}?{query}")
    # Too many values is a clear error, and the page stays small: a capped set of chips,
    # each link carrying only the known parameters that were used.
    assert page.status_code == 400
    assert f"Choose at most {MAX_VALUES_PER_FACET} values." in page.text
    chips = page.context["chips"]
    assert len(chips) == MAX_CHIPS
    assert all("junk" not in chip.remove_url for chip in chips)
    assert all("language" not in chip.remove_url for chip in chips)
    # At most 50 values of each of the two parameters used: under 100 short pairs.
    assert max(len(chip.remove_url) for chip in chips) < 2 * MAX_VALUES_PER_FACET * 15


def test_a_query_of_many_unknown_words_costs_a_bounded_number_of_queries(
    client, catalogue_with_secrets, django_assert_max_num_queries
):
    """Correcting a word costs a few queries: twenty invented words must not cost twenty times."""
    gibberish = " ".join(f"qwzx{chr(97 + n % 26)}{chr(97 + n // 26)}vbn" for n in range(20))
    # Corrections: at most six words. Records with most words: one query for all twenty (it
    # was one per word, 70 in all).
    with django_assert_max_num_queries(45):
        page = client.get(SEARCH, {"q": gibberish})
    assert page.status_code == 200
    assert page.context["result"].total == 0
