"""Migration 0006: every record becomes a micro-credential with one edition, losing nothing.

Runs the real migration backwards and forwards inside the test's transaction, which
PostgreSQL allows (its DDL is transactional); SQLite's schema editor refuses to run inside one.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from taxonomies.models import Concept, Scheme

BEFORE = [("descriptors", "0005_organisation_description")]
AFTER = [("descriptors", "0006_editions")]
TODAY = date(2026, 3, 10)

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]


def _migrate(targets):
    # Rows written in this transaction would otherwise leave their foreign-key checks
    # pending, and PostgreSQL refuses to alter a table with pending checks.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(on_postgres):
    if not on_postgres:
        pytest.skip("migrating inside a test's transaction needs PostgreSQL's DDL")
    apps = _migrate(BEFORE)
    yield apps
    _migrate(AFTER)


def _records(apps, count: int) -> list:
    """``count`` records in the old shape, cycling through every kind of date and fee."""
    opportunity = apps.get_model("descriptors", "LearningOpportunity")
    organisation = apps.get_model("descriptors", "Organisation").objects.create(
        name="Old provider",
        provider_type_id=Concept.objects.get(scheme=Scheme.PROVIDER_TYPE, code="hei").pk,
        country_id=Concept.objects.get(scheme=Scheme.COUNTRY, code="ITA").pk,
    )
    english = Concept.objects.get(scheme=Scheme.LANGUAGE, code="ENG").pk
    euro = Concept.objects.get(scheme=Scheme.CURRENCY, code="EUR").pk
    schedule = Concept.objects.filter(scheme=Scheme.LEARNING_SCHEDULE).first().pk
    kinds = [
        # ended: finished
        {"start_date": TODAY - timedelta(days=90), "end_date": TODAY - timedelta(days=30)},
        # started, not ended: running
        {"start_date": TODAY - timedelta(days=5), "end_date": TODAY + timedelta(days=30)},
        # to come, with a deadline and a fee: open
        {
            "start_date": TODAY + timedelta(days=40),
            "end_date": TODAY + timedelta(days=80),
            "application_deadline": TODAY + timedelta(days=20),
            "fee_amount": Decimal("290.50"),
            "currency_id": euro,
            "fee_note": "certificate extra",
            "duration": "P6W",
            "learning_schedule_id": schedule,
            "schedule_information": "Tuesdays 18-20",
        },
        # self-paced and free
        {"any_start_date": True, "is_free": True},
    ]
    rows = [
        opportunity(
            provider_id=organisation.pk,
            title=f"Old record {number}",
            default_language_id=english,
            status="published" if number % 3 else "draft",
            **kinds[number % len(kinds)],
        )
        for number in range(count)
    ]
    return opportunity.objects.bulk_create(rows)


MOVED = [
    "any_start_date",
    "start_date",
    "end_date",
    "application_deadline",
    "duration",
    "learning_schedule_id",
    "schedule_information",
    "is_free",
    "fee_amount",
    "currency_id",
    "fee_note",
]


def test_forwards_each_record_becomes_one_edition_and_backwards_takes_the_latest(old_apps):
    """One round trip (migrating back to before editions costs about 14 s): forwards, each
    record becomes one edition with its dates, fees and publication; backwards, each record
    takes the values of its latest edition."""
    with time_machine.travel(TODAY):
        records = _records(old_apps, 200)
        before = {
            record.pk: ({name: getattr(record, name) for name in MOVED}, record.status)
            for record in records
        }
        new_apps = _migrate(AFTER)

        edition = new_apps.get_model("descriptors", "Edition")
        editions = {row["opportunity_id"]: row for row in edition.objects.values()}
        assert set(editions) == set(before)  # one edition each, none without its record
        assert edition.objects.count() == len(before)
        for pk, (values, status) in before.items():
            row = editions[pk]
            assert {name: row[name] for name in MOVED} == values
            assert row["is_published"] == (status == "published")
        statuses = {before[pk][0]["start_date"]: row["status"] for pk, row in editions.items()}
        assert statuses[TODAY - timedelta(days=90)] == "finished"
        assert statuses[TODAY - timedelta(days=5)] == "running"
        assert statuses[TODAY + timedelta(days=40)] == "open"
        assert statuses[None] == "open"

        first = records[2]  # the one with a fee, starting TODAY + 40
        edition.objects.create(
            opportunity_id=first.pk,
            start_date=TODAY + timedelta(days=400),
            end_date=TODAY + timedelta(days=430),
            fee_amount=Decimal(310),
            currency_id=first.currency_id,
        )
        apps = _migrate(BEFORE)

    opportunity = apps.get_model("descriptors", "LearningOpportunity")
    restored = opportunity.objects.get(pk=first.pk)
    assert restored.start_date == TODAY + timedelta(days=400)
    assert restored.fee_amount == Decimal(310)
    untouched = opportunity.objects.get(pk=records[0].pk)
    assert untouched.start_date == records[0].start_date
    assert untouched.end_date == records[0].end_date
