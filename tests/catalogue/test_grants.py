"""Grants and subsidies: a provider states them (API, admin), a learner finds courses with one
(the "Fees" facet) and reads who can get them on the course's page."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from descriptors.models import Grant
from tests.builders import make_opportunity, make_organisation, text_of
from tests.catalogue.api.test_write_api import VALID, call, detail, token_for

pytestmark = pytest.mark.django_db

VOUCHER = {
    "title": "Regional training voucher",
    "description": "For job seekers living in Lombardy: it pays the fee.\nAsk your job centre.",
    "homepage": "https://example.org/voucher",
}


@pytest.fixture
def provider():
    organisation = make_organisation("Centro Formazione Energia")
    return organisation, token_for(organisation)


def test_a_provider_states_grants_and_a_later_change_that_omits_them_keeps_them(client, provider):
    _, key = provider
    created = call(
        client,
        "post",
        reverse("api:opportunity-list"),
        key,
        {
            **VALID,
            "grants": [VOUCHER, {"title": "Company training account"}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["grants"] == [
        VOUCHER,
        {"title": "Company training account", "description": "", "homepage": ""},
    ]
    pk = body["id"]

    renamed = call(client, "patch", detail(pk), key, {"title": "Solar panels, installation"})
    assert [grant["title"] for grant in renamed.json()["grants"]] == [
        "Regional training voucher",
        "Company training account",
    ]
    # A list given replaces the stored one.
    call(client, "patch", detail(pk), key, {"grants": [{"title": "Company training account"}]})
    assert list(Grant.objects.filter(opportunity=pk).values_list("title", flat=True)) == [
        "Company training account"
    ]


def test_a_grant_without_title_or_with_a_bad_address_is_refused_and_nothing_is_saved(
    client, provider
):
    _, key = provider
    response = call(
        client,
        "post",
        reverse("api:opportunity-list"),
        key,
        {
            **VALID,
            "grants": [{"description": "No name"}, {"title": "Voucher", "homepage": "voucher"}],
        },
    )
    assert response.status_code == 400
    assert response.json()["grants"] == {
        "0": {"title": ["This field is required."]},
        "1": {"homepage": ["Enter a valid URL."]},
    }
    assert not Grant.objects.exists()


@pytest.fixture
def courses(provider):
    organisation, _ = provider
    with_grant = make_opportunity(organisation, title="Photovoltaic systems", fee_amount=380)
    Grant.objects.create(opportunity=with_grant, **VOUCHER)
    make_opportunity(organisation, title="Welding basics", fee_amount=650)
    make_opportunity(organisation, title="First aid", is_free=True)
    return with_grant


def test_learners_find_the_courses_with_a_grant(client, courses):
    listed = client.get(reverse("api:opportunity-list"), {"price": "grant"}).json()
    assert [row["title"] for row in listed["results"]] == ["Photovoltaic systems"]

    with translation.override("en"):
        page = text_of(client.get(reverse("catalogue:search")))
    assert "Fees Free 1 Paid 2 Grant or subsidy available 1" in page
    with translation.override("it"):
        page = text_of(client.get(reverse("catalogue:search"), {"price": "grant"}))
    assert "Borsa o contributo disponibile 1" in page
    assert "1 opportunità formativa" in page


def test_the_course_page_says_who_can_get_the_grant_and_where_to_apply(client, courses):
    with translation.override("en"):
        response = client.get(reverse("catalogue:opportunity-detail", args=[courses.pk]))
    grant = courses.grants.get()
    assert f'<a href="#grant-{grant.pk}">Regional training voucher</a>' in response.text
    assert re.search(
        rf'<p id="grant-{grant.pk}" class="grant"><a href="https://example.org/voucher" '
        r'rel="external">Regional training voucher</a><br>For job seekers living in Lombardy: '
        r"it pays the fee.<br>Ask your job centre.</p>",
        response.text,
    )
    page = text_of(response)
    assert "Funding Regional training voucher" in page
