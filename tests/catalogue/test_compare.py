"""Comparing a shortlist side by side at /compare/?ids=..., with or without JavaScript."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from taxonomies.models import EqfLevel, Scheme
from tests.builders import concept, make_agreement, make_opportunity, make_organisation, text_of

pytestmark = pytest.mark.django_db

COMPARE = reverse("catalogue:compare")


def compare(client, ids: str):
    response = client.get(COMPARE, {"ids": ids})
    assert response.status_code == 200
    return response


@pytest.fixture
def three():
    photo = make_opportunity(
        title="Street photography",
        ects_credits=Decimal("2"),
        workload_hours=50,
        eqf_level=EqfLevel.objects.get(level=6),
        is_free=True,
        location="Venice",
        region=concept(Scheme.NUTS, "ITH35"),
    )
    photo.modes.add(concept(Scheme.MODE, "920fbb3cbe"))
    data = make_opportunity(
        title="Data analysis",
        ects_credits=Decimal("5.5"),
        eqf_level=EqfLevel.objects.get(level=5),
        fee_amount=Decimal("800"),
        currency=concept(Scheme.CURRENCY, "EUR"),
    )
    data.grants.create(title="Regional training voucher")
    draft = make_opportunity(title="A draft", status="draft")
    return photo, data, draft


def test_two_opportunities_side_by_side_on_their_descriptors(client, three):
    photo, data, _draft = three
    page = text_of(compare(client, f"{photo.pk},{data.pk}"))
    assert "2 learning opportunities compared" in page
    assert "Street photography" in page and "Data analysis" in page
    assert (
        "What it costs Free €800 Grants and subsidies Not stated Regional training voucher" in page
    )
    assert "ECTS credits 2 5.5" in page
    assert "EQF level EQF level 6 (like a bachelor's degree) EQF level 5" in page
    assert "Workload 50 hours Not stated" in page
    assert "Provided at Venice Venezia (NUTS ITH35) Not stated" in page
    # Every group of the opportunity page's descriptors is there.
    for heading in (
        "At a glance",
        "Learning outcomes and ESCO skills",
        "Admission and assessment",
        "Awarding, quality and stackability",
    ):
        assert heading in page


def test_columns_follow_the_order_of_the_address_and_each_can_be_removed(client, three):
    photo, data, _draft = three
    response = compare(client, f"{data.pk},{photo.pk}")
    page = text_of(response)
    assert page.index("Data analysis") < page.index("Street photography")
    html = response.content.decode()
    assert f'href="?ids={photo.pk}" data-shortlist-remove="{data.pk}"' in html
    assert f'href="?ids={data.pk}" data-shortlist-remove="{photo.pk}"' in html
    # The address to share it.
    assert f"http://testserver/compare/?ids={data.pk},{photo.pk}" in html


def test_unknown_unpublished_and_malformed_ids_are_named_and_the_rest_shown(client, three):
    photo, data, draft = three
    page = text_of(compare(client, f"{photo.pk},999999,{draft.pk},abc,{data.pk},{photo.pk}"))
    assert (
        f"Learning opportunities number 999999, {draft.pk} are not in the catalogue: they may "
        "have been withdrawn by their providers." in page
    )
    assert "“abc” is not the number of a learning opportunity." in page
    assert "2 learning opportunities compared" in page
    assert "A draft" not in page


def test_more_than_four_shows_the_first_four_and_says_so(client):
    opportunities = [make_opportunity(title=f"Course {n}") for n in range(1, 7)]
    page = text_of(compare(client, ",".join(str(o.pk) for o in opportunities)))
    assert (
        "You can compare up to 4 learning opportunities side by side: the first 4 of the 6 "
        "you chose are shown. Remove one to see the next." in page
    )
    assert "4 learning opportunities compared" in page
    assert "Course 4" in page and "Course 5" not in page


def test_ids_no_longer_in_the_catalogue_take_no_place_among_the_four(client, three):
    photo, data, draft = three
    more = [make_opportunity(title=f"Course {n}") for n in range(1, 4)]
    ids = [photo.pk, 999999, draft.pk, data.pk, *(o.pk for o in more)]
    page = text_of(compare(client, ",".join(map(str, ids))))
    assert "the first 4 of the 5 you chose are shown" in page
    assert "4 learning opportunities compared" in page
    assert "Course 2" in page and "Course 3" not in page


def test_without_a_list_the_page_explains_how_to_make_one(client):
    page = text_of(client.get(COMPARE))
    assert "Save two to four learning opportunities with “Save to compare”" in page
    assert "compared" not in page
    one = make_opportunity(title="Only one")
    page = text_of(compare(client, str(one.pk)))
    assert "1 learning opportunity compared" in page
    assert "Save two to four" in page


def test_recognition_shows_which_institutions_recognise_each(client, three):
    photo, data, _draft = three
    iuav = make_organisation("Università Iuav di Venezia")
    make_agreement(iuav, [photo.provider], [photo])
    page = text_of(compare(client, f"{photo.pk},{data.pk}"))
    assert (
        "Recognised by Università Iuav di Venezia: 2 ECTS toward Elective credits, BA Design "
        "(elective credits of a programme) No institution under an agreement in force" in page
    )


def test_cards_and_the_opportunity_page_carry_the_save_button(client, three):
    photo, _data, _draft = three
    for url in (
        reverse("catalogue:search"),
        reverse("catalogue:opportunity-detail", args=[photo.pk]),
    ):
        html = client.get(url).content.decode()
        # Hidden until the script can keep a shortlist.
        assert f'data-shortlist="{photo.pk}" aria-pressed="false" hidden' in html


def test_the_page_reads_a_fixed_number_of_queries(client, three, django_assert_max_num_queries):
    photo, data, _draft = three
    others = [make_opportunity(title=f"Course {n}") for n in range(2)]
    ids = ",".join(str(o.pk) for o in [photo, data, *others])
    with django_assert_max_num_queries(40):
        compare(client, ids)


@time_machine.travel(date(2026, 3, 1), tick=False)
def test_dates_and_price_are_those_of_the_next_edition(client):
    running = make_opportunity(
        title="Welding",
        editions=[
            {
                "start_date": date(2025, 9, 1),
                "end_date": date(2026, 1, 31),
                "fee_amount": 100,
                "currency": concept(Scheme.CURRENCY, "EUR"),
            },
            {
                "start_date": date(2026, 4, 1),
                "application_deadline": date(2026, 3, 20),
                "fee_amount": Decimal("120"),
                "currency": concept(Scheme.CURRENCY, "EUR"),
                "duration": "P6W",
            },
            {
                "start_date": date(2026, 10, 1),
                "fee_amount": Decimal("120"),
                "currency": concept(Scheme.CURRENCY, "EUR"),
            },
        ],
    )
    undated = make_opportunity(title="First aid")
    page = text_of(compare(client, f"{running.pk},{undated.pk}"))
    assert "Next start Starts 1 Apr 2026 1 more edition Start date not stated" in page
    assert "Applications Applications open until 20 Mar 2026 Not stated" in page
    assert "What it costs €120 Fee not stated" in page
    assert "Duration 6 weeks Not stated" in page
