"""The NUTS region of an opportunity: loaded from the official list, set by providers, a facet."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue
from descriptors.models import LearningOpportunity
from descriptors.services import region_in_countries_check
from scripts.build_nuts_fixture import nuts_regions
from taxonomies.models import Concept, Scheme
from tests.builders import concept, make_opportunity, make_organisation, text_of
from tests.descriptors.test_provider_admin import admin_post_data

pytestmark = pytest.mark.django_db


def region(code: str) -> Concept:
    return concept(Scheme.NUTS, code)


@pytest.fixture
def placed():
    """Courses in Venice and Padua (Veneto), Milan (Lombardia) and one online only."""
    venice = make_opportunity(title="Urban regeneration", region=region("ITH35"))
    venice.countries.add(concept(Scheme.COUNTRY, "ITA"))
    make_opportunity(title="Cycling tourism", region=region("ITH36"))
    make_opportunity(title="BIM for construction", region=region("ITC4C"))
    make_opportunity(title="Online only")


def titles(client, **params) -> set[str]:
    response = client.get(reverse("api:opportunity-list"), params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_the_fixture_holds_every_region_of_the_official_code_list(shared_dir):
    official = nuts_regions(shared_dir / "spec/elm/loq/cv/nuts.xsd")
    shipped = Concept.objects.filter(scheme=Scheme.NUTS)
    assert {c.code: c.label for c in shipped} == official
    assert len(official) > 2000
    assert region("ITH35").uri == "http://data.europa.eu/nuts/code/ITH35"
    assert region("ITH35").label == "Venezia"


def test_loading_the_taxonomies_again_changes_no_region():
    out = io.StringIO()
    call_command("load_taxonomies", stdout=out)
    assert "nuts: 0 created, 0 updated, 2160 unchanged" in out.getvalue()


def test_choosing_a_region_finds_what_lies_within_it(client, placed):
    assert titles(client, region="ITH35") == {"Urban regeneration"}
    assert titles(client, region="ITH3") == {"Urban regeneration", "Cycling tourism"}
    assert titles(client, region="IT") == {
        "Urban regeneration",
        "Cycling tourism",
        "BIM for construction",
    }
    assert titles(client, region=["ITH3", "ITC4"]) == {
        "Urban regeneration",
        "Cycling tourism",
        "BIM for construction",
    }


def test_the_region_facet_is_a_tree_beside_the_country_facet(client, placed):
    page = text_of(client.get(reverse("catalogue:search")))
    assert (
        "Country Italy 1 3 results have none Region (NUTS) Italia 3 1 result has none Language"
        in page
    )
    # Choosing the country's region opens the next level, with counts.
    page = text_of(client.get(reverse("catalogue:search"), {"region": "IT"}))
    assert "Region (NUTS) Italia 3 Nord-Ovest 1 Nord-Est 2" in page
    assert "Remove filter Region (NUTS): Italia" in client.get(
        reverse("catalogue:search"), {"region": "IT"}
    ).content.decode("utf-8").replace("&nbsp;", " ")
    facets = client.get(reverse("api:opportunity-list"), {"facets": "true", "region": "ITH"})
    region_facet = next(f for f in facets.json()["facets"] if f["facet"] == "region")
    italy = region_facet["values"][0]
    assert (italy["value"], italy["count"]) == ("IT", 3)
    assert [(v["value"], v["count"]) for v in italy["children"]] == [("ITC", 1), ("ITH", 2)]


def test_the_opportunity_page_and_api_name_the_region(client):
    opportunity = make_opportunity(title="Urban regeneration", region=region("ITH35"))
    page = text_of(client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk])))
    assert "Region Venezia (NUTS ITH35)" in page
    detail = client.get(reverse("api:opportunity-detail", args=[opportunity.pk])).json()
    assert detail["region"] == {
        "uri": "http://data.europa.eu/nuts/code/ITH35",
        "code": "ITH35",
        "label": "Venezia",
    }


def test_a_provider_sets_the_region_through_the_api_and_an_unknown_one_is_refused(client):
    provider = make_organisation("Iuav")
    token = api_token_issue(token=ApiToken(organisation=provider, name="course system"))
    body = {
        "title": "Urban regeneration",
        "default_language": "ENG",
        "languages": ["ENG"],
        "isced_fields": ["0731"],
        "region": "ITH35",
    }
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    url = reverse("api:opportunity-list")
    refused = client.post(url, json.dumps(body | {"region": "XX99"}), "application/json", **headers)
    assert refused.status_code == 400
    assert "region" in refused.json()
    assert not LearningOpportunity.objects.exists()
    created = client.post(url, json.dumps(body), "application/json", **headers)
    assert created.status_code == 201, created.content
    assert LearningOpportunity.objects.get().region.code == "ITH35"


def test_the_admin_offers_the_regions_as_a_type_ahead(admin_client):
    opportunity = make_opportunity(title="Urban regeneration")
    form = admin_client.get(
        reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk])
    ).content.decode()
    assert 'name="region"' in form

    def offered(term: str) -> list[str]:
        answer = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "term": term,
                "app_label": "descriptors",
                "model_name": "learningopportunity",
                "field_name": "region",
            },
        )
        return [item["text"] for item in answer.json()["results"]]

    assert offered("venez") == ["Venezia", "Friuli-Venezia Giulia"]
    # Regions only: the country "Italy" is not one.
    assert "Italy" not in offered("ital")
    assert "Italia" in offered("ital")


def test_a_region_outside_the_countries_given_is_refused_in_the_admin_and_the_api(admin_client):
    opportunity = make_opportunity(title="Urban regeneration", region=region("ITH35"))
    opportunity.countries.add(concept(Scheme.COUNTRY, "ITA"))
    change = reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk])
    germany, italy = concept(Scheme.COUNTRY, "DEU"), concept(Scheme.COUNTRY, "ITA")
    data = admin_post_data(opportunity, region=region("ITH35").pk, countries=[germany.pk])
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["region"] == [
        "This region is in none of the countries where it takes place (Germany)."
    ]
    assert list(opportunity.countries.all()) == [italy]  # nothing saved

    data["countries"] = [germany.pk, italy.pk]
    assert admin_client.post(change, data).status_code == 302

    # Through the API, a new region is checked against the stored countries.
    token = api_token_issue(token=ApiToken(organisation=opportunity.provider, name="LMS"))
    answer = admin_client.patch(
        reverse("api:opportunity-detail", args=[opportunity.pk]),
        {"region": "FRK26"},
        "application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert answer.status_code == 400
    assert answer.json()["region"] == [
        "This region is in none of the countries where it takes place (Germany, Italy)."
    ]
    opportunity.refresh_from_db()
    assert opportunity.region.code == "ITH35"


def test_a_greek_region_is_in_greece_though_nuts_and_iso_spell_it_differently():
    region_in_countries_check(region("EL30"), [concept(Scheme.COUNTRY, "GRC")])
