"""Facet counts and totals equal a brute-force count over the same filters.

The brute force reads plain rows from the database and applies each filter with Python sets,
independently of the numpy index; hypothesis draws random filter combinations.
"""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.filters import SearchParams
from catalogue.search.results import opportunity_search
from descriptors.models import LearningOpportunity
from taxonomies.models import IscedField

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

# Counted over each micro-credential's editions (a start facet value "30" is not drawn).
EDITION_FACETS = ("price", "when")
MULTI_FACETS = (
    "eqf",
    "isced",
    "provider",
    "country",
    "language",
    "type",
    "mode",
    "schedule",
    "credential",
)


def catalogue_rows() -> dict[int, dict]:
    """Every published opportunity as plain Python values."""
    parents = dict(IscedField.objects.values_list("code", "parent_id"))
    rows = {}
    for opportunity in (
        LearningOpportunity.objects.published()
        .prefetch_related(
            "isced_fields",
            "countries",
            "languages",
            "modes",
            "editions__modes",
            "editions__languages",
            "editions__learning_schedule",
            "grants",
        )
        .select_related("opportunity_type", "credential_type")
    ):
        fields = set()
        for field in opportunity.isced_fields.all():
            code = field.code
            while code:
                fields.add(code)
                code = parents[code]
        rows[opportunity.pk] = {
            "eqf": {str(opportunity.eqf_level_id)} if opportunity.eqf_level_id else set(),
            "isced": fields,
            "provider": {str(opportunity.provider_id)},
            "country": {c.code for c in opportunity.countries.all()},
            "language": {c.code for c in opportunity.languages.all()}
            | {c.code for e in opportunity.public_editions for c in e.languages.all()},
            "type": {opportunity.opportunity_type.code} if opportunity.opportunity_type else set(),
            "mode": {c.code for c in opportunity.modes.all()}
            | {c.code for e in opportunity.public_editions for c in e.modes.all()},
            "schedule": {
                e.learning_schedule.code for e in opportunity.public_editions if e.learning_schedule
            },
            "credential": {opportunity.credential_type.code}
            if opportunity.credential_type
            else set(),
            "ects": None if opportunity.ects_credits is None else float(opportunity.ects_credits),
            # What date and fee filters look at: the editions not over, else the past ones.
            "editions": [
                {
                    "free": edition.is_free,
                    "fee": 0.0
                    if edition.is_free
                    else (None if edition.fee_amount is None else float(edition.fee_amount)),
                    "any_start": edition.any_start_date,
                    "start": edition.start_date,
                }
                for edition in opportunity.current_editions or opportunity.past_editions
            ],
            "past": bool(opportunity.past_editions) and not opportunity.current_editions,
            "grant": bool(opportunity.grants.all()),
        }
    return rows


def brute_force(rows, params: SearchParams, ignoring: str = "") -> set[int]:
    matched = set()
    today = timezone.localdate()  # the search's today (Brussels), not the machine's
    for pk, row in rows.items():
        ok = all(
            not chosen or key == ignoring or row[key] & chosen
            for key, chosen in params.facets.items()
        )
        ects = params.ranges.get("ects")
        if ects and ignoring != "ects":
            ok &= row["ects"] is not None and any(
                {
                    "0-2": row["ects"] <= 2,
                    "2-5": 2 < row["ects"] <= 5,
                    "5-10": 5 < row["ects"] <= 10,
                    "10-": row["ects"] > 10,
                }[bucket]
                for bucket in ects
            )
        editions = row["editions"]
        if params.price == "grant" and ignoring != "price":
            ok &= row["grant"]
        elif params.price and ignoring != "price":
            ok &= any(
                e["free"] if params.price == "free" else (not e["free"] and bool(e["fee"]))
                for e in editions
            )
        if params.max_fee is not None:
            ok &= any(e["fee"] is not None and e["fee"] <= params.max_fee for e in editions)
        if params.start == "any" and ignoring != "start":
            ok &= any(e["any_start"] for e in editions)
        elif params.start == "90" and ignoring != "start":
            ok &= any(
                e["start"] is not None and today <= e["start"] <= today + timedelta(90)
                for e in editions
            )
        if params.when and ignoring != "when":
            ok &= row["past"] == (params.when == "past")
        if ok:
            matched.add(pk)
    return matched


@pytest.fixture(scope="module")
def rows(demo_catalogue, django_db_blocker):
    with django_db_blocker.unblock():
        return catalogue_rows()


def value_strategy(rows):
    values = defaultdict(set)
    for row in rows.values():
        for key in MULTI_FACETS:
            values[key] |= row[key]
    facet_sets = {
        key: st.sets(st.sampled_from(sorted(values[key])), max_size=2) for key in MULTI_FACETS
    }
    return st.fixed_dictionaries(
        {
            "facets": st.fixed_dictionaries(facet_sets),
            "ects": st.sets(st.sampled_from(["0-2", "2-5", "5-10", "10-"]), max_size=2),
            "price": st.sampled_from(["", "free", "paid", "grant"]),
            "max_fee": st.one_of(st.none(), st.sampled_from([0, 100, 300, 700])),
            "start": st.sampled_from(["", "any", "90"]),
            "when": st.sampled_from(["", "current", "past"]),
        }
    )


def test_counts_equal_brute_force(rows):
    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(value_strategy(rows))
    def check(drawn):
        params = SearchParams(
            facets={key: set(value) for key, value in drawn["facets"].items()},
            ranges={"ects": set(drawn["ects"])},
            price=drawn["price"],
            max_fee=drawn["max_fee"],
            start=drawn["start"],
            when=drawn["when"],
        )
        result = opportunity_search(params, page_size=100)
        assert result.total == len(brute_force(rows, params))
        assert {o.pk for o in result.opportunities} == brute_force(rows, params)
        for facet in result.facets:
            if facet.key not in (*MULTI_FACETS, "ects", *EDITION_FACETS):
                continue
            others = brute_force(rows, params, ignoring=facet.key)
            for value in _flatten(facet.values):
                if facet.key == "ects":
                    single = SearchParams(ranges={"ects": {value.key}})
                    expected = len(others & brute_force(rows, single))
                elif facet.key in EDITION_FACETS:
                    single = SearchParams(**{facet.key: value.key})
                    expected = len(others & brute_force(rows, single))
                else:
                    expected = sum(1 for pk in others if value.key in rows[pk][facet.key])
                assert value.count == expected, (facet.key, value.key, params)

    check()


def _flatten(values):
    for value in values:
        yield value
        yield from _flatten(value.children)
