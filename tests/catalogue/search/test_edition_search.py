"""Search over micro-credentials with several editions: one result each, facets counting
micro-credentials that have at least one matching edition, past editions as history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from descriptors.models import Edition
from taxonomies.models import Scheme
from tests.builders import concept, make_edition, make_opportunity, text_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def catalogue():
    euro = concept(Scheme.CURRENCY, "EUR")
    yearly = make_opportunity(title="Credential evaluation", homepage="https://example.org/ce")
    for year in (2023, 2024, 2025):  # history
        make_edition(yearly, start_date=date(year, 1, 15), end_date=date(year, 5, 15))
    make_edition(
        yearly,
        start_date=days(8),
        end_date=days(120),
        application_deadline=days(3),
        fee_amount=400,
        currency=euro,
    )
    make_edition(yearly, start_date=days(200), is_free=True)
    make_edition(yearly, start_date=days(20), status=Edition.Status.CANCELLED, is_free=True)
    make_edition(yearly, start_date=days(25), is_published=False, is_free=True)

    ended = make_opportunity(title="Heritage walks")
    make_edition(ended, start_date=days(-300), end_date=days(-250), is_free=True)
    make_edition(ended, start_date=days(-100), end_date=days(-60), fee_amount=50, currency=euro)

    make_opportunity(title="Self-paced Python", any_start_date=True, is_free=True)
    make_opportunity(title="Dates to come")  # no edition yet
    return yearly


def results(client, **params) -> dict:
    response = client.get(reverse("api:opportunity-list"), params | {"facets": "true"})
    assert response.status_code == 200, response.content
    return response.json()


def titles(client, **params) -> list[str]:
    return sorted(row["title"] for row in results(client, **params)["results"])


def counts(answer: dict, facet: str) -> dict[str, int]:
    found = next(item for item in answer["facets"] if item["facet"] == facet)
    return {value["value"]: value["count"] for value in found["values"]}


def test_one_result_per_micro_credential_whatever_its_editions(client, catalogue):
    answer = results(client)
    assert answer["count"] == 4
    assert titles(client) == [
        "Credential evaluation",
        "Dates to come",
        "Heritage walks",
        "Self-paced Python",
    ]


def test_filters_keep_a_micro_credential_when_one_current_edition_matches(client, catalogue):
    # The free edition starting in 200 days counts; cancelled and unpublished ones do not.
    # Heritage walks has only past editions: they answer for it.
    assert titles(client, price="free") == [
        "Credential evaluation",
        "Heritage walks",
        "Self-paced Python",
    ]
    assert titles(client, price="paid") == ["Credential evaluation", "Heritage walks"]
    assert titles(client, start="30") == ["Credential evaluation"]  # not the cancelled one
    assert titles(client, start="any") == ["Self-paced Python"]
    assert titles(client, application="open") == ["Credential evaluation"]
    assert titles(client, start_from=str(days(150))) == ["Credential evaluation"]
    assert titles(client, max_fee="10") == [
        "Credential evaluation",
        "Heritage walks",
        "Self-paced Python",
    ]


def test_a_highest_fee_counts_the_cents_and_leaves_out_unknown_fees(client):
    euro = concept(Scheme.CURRENCY, "EUR")
    make_opportunity(title="Bookbinding", start_date=days(10), fee_amount="290.10", currency=euro)
    make_opportunity(title="Fee to be announced", start_date=days(10))

    assert titles(client, max_fee="290.1") == ["Bookbinding"]
    assert titles(client, max_fee="290.109") == ["Bookbinding"]
    assert titles(client, max_fee="290.09") == []
    assert titles(client, price="paid") == ["Bookbinding"]


def test_past_editions_count_only_for_micro_credentials_that_have_nothing_else(client, catalogue):
    # Credential evaluation's history (2023-2025) does not make it match the past.
    assert titles(client, start_to=str(days(-30))) == ["Heritage walks"]


def test_the_past_filter_finds_micro_credentials_whose_editions_are_all_over(client, catalogue):
    assert titles(client, when="past") == ["Heritage walks"]
    assert titles(client, when="current") == [
        "Credential evaluation",
        "Dates to come",
        "Self-paced Python",
    ]
    answer = results(client, price="free")
    assert counts(answer, "when") == {"current": 2, "past": 1}
    assert counts(results(client), "price") == {"free": 3, "paid": 2, "grant": 0}


def test_sorting_by_start_uses_each_micro_credentials_next_start(client, catalogue):
    order = [row["title"] for row in results(client, sort="start")["results"]]
    # self-paced starts today, the next edition in 8 days; nothing to come sorts last
    assert order == [
        "Self-paced Python",
        "Credential evaluation",
        "Dates to come",
        "Heritage walks",
    ]


def test_the_card_says_the_next_start_and_how_many_more_editions(client, catalogue):
    page = text_of(client.get(reverse("catalogue:search"), {"q": "credential"}))
    assert "Starts 9 Feb 2026, 1 more edition" in page
    assert "€400" in page

    page = text_of(client.get(reverse("catalogue:search"), {"when": "past"}))
    assert "Last started 24 Oct 2025; no new start announced" in page
    assert "Editions Upcoming or running 3 Past editions only 1" in page


def test_the_page_lists_current_editions_and_keeps_the_past_as_history(client, catalogue):
    page = text_of(client.get(reverse("catalogue:opportunity-detail", args=[catalogue.pk])))
    assert "Apply by 4 Feb 2026" in page
    current, past = page.split("Upcoming and running")[1].split("Past editions")
    assert "9 Feb 2026 – 1 Jun 2026" in current and "Open for applications" in current
    assert "20 Aug 2026" in current
    assert "Cancelled" not in current and "26 Feb 2026" not in current  # the unpublished one
    assert [year in past for year in ("2025", "2024", "2023")] == [True] * 3
    assert past.index("2025") < past.index("2023")  # latest first
    assert "Cancelled" in past  # the cancelled edition is history too


def test_an_edition_change_reaches_search_and_the_changes_feed(client, catalogue):
    before = client.get(reverse("api:changes"), {"since": 0}).json()["results"]
    make_edition(catalogue, start_date=days(2), is_free=False)  # an edition added in the admin
    after = client.get(reverse("api:changes"), {"since": 0}).json()["results"]
    assert len(after) == len(before) + 1
    assert after[-1]["opportunity"] == catalogue.pk and after[-1]["kind"] == "updated"
    assert titles(client, start_to=str(days(3))) == ["Credential evaluation", "Heritage walks"]
