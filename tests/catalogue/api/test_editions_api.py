"""Editions through the API: nested on read, their own endpoints for writes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import CatalogueChange
from descriptors.models import Edition
from taxonomies.models import Scheme
from tests.builders import concept, make_edition, make_opportunity, make_organisation
from tests.catalogue.api.test_write_api import VALID, call, detail, token_for

pytestmark = pytest.mark.django_db


def editions_url(pk):
    return reverse("api:opportunity-editions", args=[pk])


def edition_url(pk, edition_pk):
    return reverse("api:opportunity-edition", args=[pk, edition_pk])


@pytest.fixture
def course():
    today = timezone.localdate()
    provider = make_organisation("Rome school")
    opportunity = make_opportunity(provider, title="Credential evaluation")
    past = make_edition(
        opportunity,
        reference="2024",
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=300),
        fee_amount=200,
        currency=concept(Scheme.CURRENCY, "EUR"),
    )
    upcoming = make_edition(
        opportunity,
        reference="next",
        start_date=today + timedelta(days=20),
        end_date=today + timedelta(days=80),
        application_deadline=today + timedelta(days=10),
        is_free=True,
    )
    later = make_edition(opportunity, reference="later", start_date=today + timedelta(days=200))
    hidden = make_edition(
        opportunity, reference="hidden", start_date=today + timedelta(days=5), is_published=False
    )
    return {
        "opportunity": opportunity,
        "provider": provider,
        "key": token_for(provider),
        "past": past,
        "upcoming": upcoming,
        "later": later,
        "hidden": hidden,
    }


def test_detail_nests_published_editions_in_date_order_with_their_status(client, course):
    answer = client.get(detail(course["opportunity"].pk)).json()

    assert [edition["reference"] for edition in answer["editions"]] == ["2024", "next", "later"]
    past, upcoming, _ = answer["editions"]
    assert past["status"] == "finished"  # its dates say so, whatever was stored
    assert past["fee_amount"] == "200.00" and past["currency"]["code"] == "EUR"
    assert upcoming["status"] == "open" and upcoming["is_free"] is True
    assert upcoming["application_deadline"] == str(course["upcoming"].application_deadline)
    assert [mode["label"] for mode in upcoming["modes"]] == []  # the micro-credential's: none
    assert [language["code"] for language in upcoming["languages"]] == ["ENG"]


def test_list_items_carry_the_next_edition_and_how_many_more(client, course):
    answer = client.get(reverse("api:opportunity-list")).json()

    item = answer["results"][0]
    assert item["next_edition"]["reference"] == "next"
    assert item["more_editions_count"] == 1  # "later"; the past and the unpublished do not count
    assert "start_date" not in item


def test_anyone_reads_published_editions_the_owner_every_one(client, course):
    pk = course["opportunity"].pk
    public = client.get(editions_url(pk)).json()
    assert [edition["reference"] for edition in public] == ["2024", "next", "later"]
    assert client.get(edition_url(pk, course["hidden"].pk)).status_code == 404

    own = call(client, "get", editions_url(pk), course["key"]).json()
    assert [edition["reference"] for edition in own] == ["2024", "hidden", "next", "later"]


def test_adding_an_edition_is_a_change_of_the_micro_credential(client, course):
    opportunity = course["opportunity"]
    before = CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count()
    history = opportunity.history.count()
    start = timezone.localdate() + timedelta(days=365)

    response = call(
        client,
        "post",
        editions_url(opportunity.pk),
        course["key"],
        {
            "reference": "2027",
            "start_date": str(start),
            "end_date": str(start + timedelta(days=60)),
            "fee_amount": "350",
            "currency": "EUR",
            "places": 40,
            "modes": ["920fbb3cbe"],
        },
    )

    assert response.status_code == 201, response.json()
    created = response.json()
    assert response["Location"] == edition_url(opportunity.pk, created["id"])
    assert created["places"] == 40 and created["modes"][0]["code"] == "920fbb3cbe"
    assert CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count() == before + 1
    assert opportunity.history.count() == history + 1
    references = [e["reference"] for e in client.get(detail(opportunity.pk)).json()["editions"]]
    assert references == ["2024", "next", "later", "2027"]
    # the other editions kept their ids
    assert set(Edition.objects.filter(opportunity=opportunity).values_list("pk", flat=True)) >= {
        course[name].pk for name in ("past", "upcoming", "later", "hidden")
    }


def test_bad_editions_are_400s_with_field_errors_and_write_nothing(client, course):
    pk = course["opportunity"].pk
    today = timezone.localdate()
    cases = [
        ({"start_date": str(today), "end_date": str(today - timedelta(days=1))}, "end_date"),
        ({"fee_amount": "90"}, "currency"),
        ({"reference": "next"}, "reference"),  # another edition has this code
        ({"start_date": "soon"}, "start_date"),
        ({"currency": "XYZ"}, "currency"),
        ({"places": 0}, "places"),
        ({"status": "postponed"}, "status"),
    ]
    count = Edition.objects.count()
    for body, field in cases:
        response = call(client, "post", editions_url(pk), course["key"], body)
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    assert Edition.objects.count() == count


def test_patch_changes_only_what_is_given_and_put_replaces(client, course):
    pk, upcoming = course["opportunity"].pk, course["upcoming"]

    patched = call(client, "patch", edition_url(pk, upcoming.pk), course["key"], {"places": 12})
    assert patched.status_code == 200
    assert patched.json()["places"] == 12 and patched.json()["is_free"] is True

    replaced = call(
        client, "put", edition_url(pk, upcoming.pk), course["key"], {"reference": "next"}
    )
    assert replaced.status_code == 200
    assert replaced.json()["places"] is None and replaced.json()["start_date"] is None
    assert replaced.json()["id"] == upcoming.pk


def test_delete_removes_one_edition_and_others_cannot_write(client, course):
    pk, later = course["opportunity"].pk, course["later"]
    stranger = token_for(make_organisation("Elsewhere"))

    assert call(client, "delete", edition_url(pk, later.pk), stranger).status_code == 403
    assert call(client, "delete", edition_url(pk, later.pk)).status_code == 401
    assert call(client, "delete", edition_url(pk, later.pk), course["key"]).status_code == 204
    assert not Edition.objects.filter(pk=later.pk).exists()
    assert call(client, "get", edition_url(pk, later.pk), course["key"]).status_code == 404


def test_an_opportunity_is_created_with_its_editions_and_they_are_replaced_as_a_set(client):
    provider = make_organisation("Set writer")
    key = token_for(provider)
    body = VALID | {
        "editions": [
            {"reference": "a", "start_date": "2030-01-10", "is_free": True},
            {"reference": "b", "any_start_date": True, "fee_amount": "10", "currency": "EUR"},
        ]
    }
    created = call(client, "post", reverse("api:opportunity-list"), key, body)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    first = Edition.objects.get(opportunity_id=pk, reference="a")

    body["editions"] = [{"id": first.pk, "reference": "a", "start_date": "2030-02-10"}]
    assert call(client, "put", detail(pk), key, body).status_code == 200
    assert list(Edition.objects.filter(opportunity_id=pk).values_list("pk", "reference")) == [
        (first.pk, "a")
    ]

    body["editions"] = [{"reference": "x", "end_date": "2030-01-01", "start_date": "2030-02-01"}]
    refused = call(client, "put", detail(pk), key, body)
    assert refused.status_code == 400
    assert "Edition 1" in refused.json()["editions"][0]
