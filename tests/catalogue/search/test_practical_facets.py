"""Facets a learner asks for first: can I still apply, and who offers it."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from descriptors.models import LearningOpportunity, Organisation
from taxonomies.models import Concept, Scheme
from tests.builders import concept, make_opportunity, make_organisation, text_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def titles(client, **params) -> set[str]:
    response = client.get(reverse("api:opportunity-list"), params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


@pytest.fixture
def deadlines():
    for title, days in (
        ("Closed yesterday", -1),
        ("Closes today", 0),
        ("Closes in 30 days", 30),
        ("Closes in 31 days", 31),
    ):
        make_opportunity(title=title, application_deadline=TODAY + timedelta(days=days))
    make_opportunity(title="No deadline stated")


def test_applications_open_now_and_closing_within_30_days(client, deadlines):
    assert titles(client, application="open") == {
        "Closes today",
        "Closes in 30 days",
        "Closes in 31 days",
    }
    assert titles(client, application="closing") == {"Closes today", "Closes in 30 days"}


def test_the_application_facet_counts_and_chip(client, deadlines):
    page = text_of(client.get(reverse("catalogue:search")))
    assert "Applications Open now 3 Closing within 30 days 2" in page
    page = text_of(client.get(reverse("catalogue:search"), {"application": "closing"}))
    assert "2 learning opportunities" in page
    assert (
        "Remove filter Closing within 30 days"
        in client.get(reverse("catalogue:search"), {"application": "closing"}).content.decode()
    )


def test_an_unknown_application_choice_is_refused(client):
    response = client.get(reverse("api:opportunity-list"), {"application": "soon"})
    assert response.status_code == 400
    assert "application" in response.json()


@pytest.fixture
def many_providers():
    """14 providers: more than the 12 the provider facet shows."""
    for number in range(14):
        provider = make_organisation(f"Provider {number:02d}")
        for _ in range(number + 1):
            make_opportunity(provider)
    make_opportunity(make_organisation("Zeta Academy"))


def test_the_provider_facet_says_how_many_more_there_are(client, many_providers):
    page = text_of(client.get(reverse("catalogue:search")))
    assert "and 3 more: find one by name" in page  # 15 providers, 12 shown


def test_find_a_provider_by_name_with_its_count_in_this_search(client, many_providers):
    page = text_of(client.get(reverse("catalogue:search"), {"provider_term": "zeta"}))
    assert "Zeta Academy 1" in page
    # The box is not a filter: no chip, the same results.
    assert "Remove filter" not in page
    assert "106 learning opportunities" in page

    # The same list, updated as one types (htmx).
    fragment = text_of(
        client.get(reverse("catalogue:provider-suggestions"), {"provider_term": "provider 0"})
    )
    assert "Provider 09 10" in fragment
    assert "Provider 10" not in fragment
    fragment = text_of(
        client.get(reverse("catalogue:provider-suggestions"), {"provider_term": "nobody"})
    )
    assert "No provider with that name in these results." in fragment


def test_a_provider_found_by_name_filters_like_any_other(client, many_providers):
    zeta = Organisation.objects.get(name="Zeta Academy")
    response = client.get(
        reverse("catalogue:search"), {"provider_term": "zeta", "provider": zeta.pk}
    )
    page = text_of(response)
    assert "1 learning opportunity" in page
    assert "Remove filter Provider: Zeta Academy" in response.content.decode()
    # Ticked once, in the facet's own list, not again among the matches.
    assert f'id="provider-{zeta.pk}" checked' in response.content.decode()
    assert f'id="provider-match-{zeta.pk}"' not in response.content.decode()


def test_fees_and_start_read_alike_in_the_italian_api_and_search_page(client):
    make_opportunity(is_free=True, start_date=TODAY + timedelta(days=10))
    make_opportunity(fee_amount=250, start_date=TODAY + timedelta(days=60))
    answer = client.get(
        reverse("api:opportunity-list"), {"facets": "true"}, headers={"accept-language": "it"}
    ).json()
    facets = {facet["facet"]: facet for facet in answer["facets"]}
    labels = {
        key: (
            facets[key]["label"],
            {value["value"]: value["label"] for value in facets[key]["values"]},
        )
        for key in ("price", "start")
    }
    assert labels == {
        "price": (
            "Costi",
            {
                "free": "Gratuito",
                "paid": "A pagamento",
                "grant": "Borsa o contributo disponibile",
            },
        ),
        "start": (
            "Inizio",
            {
                "30": "Entro 30 giorni",
                "90": "Entro 90 giorni",
                "any": "Inizio libero (al proprio ritmo)",
            },
        ),
    }

    with translation.override("it"):
        search = reverse("catalogue:search")
    page = text_of(client.get(search))
    for key in ("price", "start"):
        shown = " ".join(f"{value['label']} {value['count']}" for value in facets[key]["values"])
        assert f"{facets[key]['label']} {shown}" in page
    assert "Costi Gratuito 1 A pagamento 1" in page


@pytest.fixture
def fifteen_countries():
    """Country n (from 1) is where n of 15 opportunities take place: 15 values, 12 shown."""
    countries = list(Concept.objects.filter(scheme=Scheme.COUNTRY).order_by("code")[:15])
    for first in range(15):
        make_opportunity().countries.add(*countries[first:])
    return countries


def test_every_value_of_a_long_facet_stays_one_click_away(client, fifteen_countries):
    """The least frequent countries are not shown first, but are listed under "and 3 more",
    in the page (no script needed) and in the API, and filter like the others."""
    rarest = fifteen_countries[0]
    page = client.get(reverse("catalogue:search")).text
    facet = page[page.index('id="facet-country"') :]
    facet = facet[: facet.index("</fieldset>")]
    shown, more = facet.split('<details class="more">')
    assert f'value="{rarest.code}"' not in shown
    assert f'name="country" value="{rarest.code}"' in more
    assert re.search(rf"<summary>and 3 more</summary>.*{re.escape(rarest.label)} <span", more, re.S)

    body = client.get("/api/v1/learning-opportunities/", {"facets": "true"}).json()
    (country,) = [facet for facet in body["facets"] if facet["facet"] == "country"]
    assert len(country["values"]) == 12 and country["more"] == 3
    assert [value["count"] for value in country["more_values"]] == [3, 2, 1]
    assert country["more_values"][-1]["value"] == rarest.code

    (only,) = LearningOpportunity.objects.filter(countries=rarest)
    assert titles(client, country=rarest.code) == {only.title}


def test_filter_by_learning_schedule_of_the_published_editions(client):
    light, full = (concept(Scheme.LEARNING_SCHEDULE, code) for code in ("67395e6b5a", "72a0ab92fa"))
    make_opportunity(
        title="Evenings and full-time summer school",
        editions=[{"learning_schedule": light}, {"learning_schedule": full}],
    )
    make_opportunity(
        title="Self-paced, a full-time edition still in draft",
        editions=[
            {"learning_schedule": light},
            {"learning_schedule": full, "is_published": False},
        ],
    )
    make_opportunity(title="Schedule not stated", start_date=TODAY)

    assert titles(client, schedule=full.code) == {"Evenings and full-time summer school"}
    assert titles(client, schedule=[light.code, full.code]) == {
        "Evenings and full-time summer school",
        "Self-paced, a full-time edition still in draft",
    }

    answer = client.get(
        reverse("api:opportunity-list"), {"facets": "true"}, headers={"accept-language": "it"}
    ).json()
    (schedule,) = [facet for facet in answer["facets"] if facet["facet"] == "schedule"]
    assert schedule["label"] == "Calendario"
    assert [(value["label"], value["count"]) for value in schedule["values"]] == [
        ("Tempo parziale leggero", 2),
        ("Tempo pieno", 1),
    ]
    assert schedule["missing"] == 1

    with translation.override("en"):
        page = text_of(client.get(reverse("catalogue:search")))
    assert "Learning schedule Part time light 2 Full time 1" in page
    # A card says the schedule of the edition it shows.
    with translation.override("en"):
        page = client.get(reverse("catalogue:search"), {"q": "self-paced"}).text
    (facts,) = re.findall(r'<ul class="facts">(.*?)</ul>', page, re.S)
    assert "<li>Part time light</li>" in facts
