"""Migration 0006 (editions) at scale: OCLO_BENCH_COUNT records (default 100,000) in the shape
before editions, each with dates and a fee, turned into micro-credentials with one edition.

Runs in the benchmark's scratch database: migrates descriptors back to 0005, writes the
records, times the forward migration, checks that every record got its edition with its
values, then removes them.
"""

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from taxonomies.models import Concept, Scheme

BEFORE = [("descriptors", "0005_organisation_description")]
AFTER = [("descriptors", "0006_editions")]
BATCH = 5000


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_records(apps, count: int) -> None:
    rng = random.Random(2026)
    organisation = apps.get_model("descriptors", "Organisation").objects.create(
        name="Migration benchmark provider",
        provider_type_id=Concept.objects.get(scheme=Scheme.PROVIDER_TYPE, code="hei").pk,
        country_id=Concept.objects.get(scheme=Scheme.COUNTRY, code="ITA").pk,
    )
    english = Concept.objects.get(scheme=Scheme.LANGUAGE, code="ENG").pk
    euro = Concept.objects.get(scheme=Scheme.CURRENCY, code="EUR").pk
    opportunity = apps.get_model("descriptors", "LearningOpportunity")
    today = date.today()
    for start in range(0, count, BATCH):
        rows = []
        for number in range(start, min(count, start + BATCH)):
            begins = today + timedelta(days=rng.randint(-400, 400))
            free = rng.random() < 0.35
            rows.append(
                opportunity(
                    provider_id=organisation.pk,
                    title=f"Migrated record {number}",
                    default_language_id=english,
                    status="published",
                    start_date=begins,
                    end_date=begins + timedelta(days=60),
                    application_deadline=begins - timedelta(days=14),
                    duration="P2M",
                    is_free=free,
                    fee_amount=None if free else Decimal(290),
                    currency_id=None if free else euro,
                )
            )
        opportunity.objects.bulk_create(rows)


def run() -> None:
    count = int(os.environ.get("OCLO_BENCH_COUNT", "100000"))
    call_command("load_taxonomies", verbosity=0)
    apps = _migrate(BEFORE)
    started = time.perf_counter()
    _old_records(apps, count)
    print(
        f"editions migration: {count} records in the old shape written in "
        f"{time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    apps = _migrate(AFTER)
    elapsed = time.perf_counter() - started
    edition = apps.get_model("descriptors", "Edition")
    opportunity = apps.get_model("descriptors", "LearningOpportunity")
    migrated = opportunity.objects.filter(title__startswith="Migrated record ")
    editions = edition.objects.filter(opportunity__in=migrated)
    lost = migrated.exclude(editions__isnull=False).count()
    fees = editions.filter(fee_amount=Decimal(290), currency__code="EUR").count()
    print(
        f"editions migration: {count} records -> {editions.count()} editions in {elapsed:.1f} s "
        f"({count / elapsed:,.0f} records/s) on {connection.vendor}; records without an edition: "
        f"{lost}; editions with the paid fee: {fees}"
    )
    started = time.perf_counter()
    _migrate(BEFORE)
    print(f"editions migration backwards: {time.perf_counter() - started:.1f} s")
    _migrate(AFTER)
    migrated = opportunity.objects.filter(title__startswith="Migrated record ")
    edition.objects.filter(opportunity__in=migrated).delete()
    migrated.delete()
