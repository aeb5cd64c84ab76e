"""Reads from a real PostgreSQL streaming replica, writes to the primary: the client who wrote
reads its own write at once (facet counts included) while the replica lags, and the others see
it when the replica has replayed it.

Needs a primary and its replica: ``scripts/pg-replica start`` prints the two settings
(``DATABASE_URL``, ``DATABASE_REPLICA_URLS``); ``.ci/run`` runs this module against them, in one
process (``-n 0``): a paused replay is paused for every test that reads the replica.
"""

import os
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from catalogue.models import ApiToken
from catalogue.search.facet_index import facet_index
from catalogue.tokens import api_token_issue
from descriptors.models import LearningOpportunity
from oclo.replicas import PRIMARY_COOKIE
from taxonomies.loaders import taxonomies_load
from taxonomies.models import EqfLevel
from tests.builders import make_opportunity, make_organisation
from tests.processes import manage

pytestmark = [
    pytest.mark.skipif(
        not settings.OCLO_REPLICA_DATABASES,
        reason="no read replica: set DATABASE_REPLICA_URLS (`scripts/pg-replica start` starts "
        "a primary and a replica and prints the settings; .ci/run does it)",
    ),
    # Replication carries committed transactions only.
    pytest.mark.django_db(transaction=True, databases="__all__"),
]
REPLICA = "replica1"
LIST = "/api/v1/learning-opportunities/"


def replica_sql(sql: str, params=()):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_until_replayed(seconds: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        # Where the log ends, not where it has been written out to: the throwaway primary
        # commits without waiting for the write (synchronous_commit = off), so a commit can lie
        # beyond the written position for a moment (the replica was paused before replaying
        # one, and a record was missing from it: seen once in CI on a busy machine).
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        written = cursor.fetchone()[0]
    deadline = time.monotonic() + seconds
    while not replica_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.fixture
def lagging_replica():
    """Pauses the replica's replay while the test runs: it lags as long as the test needs."""
    if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.fail("another worker's test would resume the replay under this one: use -n 0")
    assert replica_sql("SELECT pg_is_in_recovery()"), f"{REPLICA} is not a replica"

    class Replay:
        def pause(self):
            replica_sql("SELECT pg_wal_replay_pause()::text")

        def resume(self):
            replica_sql("SELECT pg_wal_replay_resume()::text")

    replay = Replay()
    yield replay
    replay.resume()


def eqf_counts(client) -> dict[str, int]:
    body = client.get(LIST, {"facets": "true"}).json()
    (eqf,) = [facet for facet in body["facets"] if facet["facet"] == "eqf"]
    return {value["value"]: value["count"] for value in eqf["values"] if value["count"]}


def test_the_writer_reads_its_write_at_once_and_the_others_converge(lagging_replica):
    taxonomies_load()
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    opportunity = make_opportunity(
        provider, title="Darkroom printing", eqf_level=EqfLevel.objects.get(level=6)
    )
    token = api_token_issue(token=ApiToken(organisation=provider, name="course system"))
    wait_until_replayed()
    writer, other = Client(), Client()
    detail = f"{LIST}{opportunity.pk}/"
    assert eqf_counts(writer) == eqf_counts(other) == {"6": 1}

    lagging_replica.pause()
    changed = writer.patch(
        detail,
        {"title": "Darkroom printing, second edition", "eqf_level": 7},
        content_type="application/json",
        headers={"authorization": f"Token {token}"},
    )
    assert changed.status_code == 200, changed.json()
    assert PRIMARY_COOKIE in writer.cookies
    assert LearningOpportunity.objects.using(REPLICA).get(pk=opportunity.pk).title == (
        "Darkroom printing"
    ), "the replica lags"

    # The writer: its own change, in the record, the facet counts and the search page.
    assert writer.get(detail).json()["title"] == "Darkroom printing, second edition"
    assert eqf_counts(writer) == {"7": 1}
    assert "Darkroom printing, second edition" in writer.get("/", {"eqf": "7"}).text
    # Another client reads the replica, which has not replayed the change yet.
    assert other.get(detail).json()["title"] == "Darkroom printing"

    lagging_replica.resume()
    wait_until_replayed()
    assert other.get(detail).json()["title"] == "Darkroom printing, second edition"
    assert eqf_counts(other) == {"7": 1}


def test_after_a_few_seconds_the_writer_reads_the_replica_again(lagging_replica, settings):
    settings.OCLO_READ_YOUR_WRITES_SECONDS = 1
    taxonomies_load()
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    opportunity = make_opportunity(provider, title="Darkroom printing")
    token = api_token_issue(token=ApiToken(organisation=provider, name="course system"))
    wait_until_replayed()
    lagging_replica.pause()
    writer = Client()
    detail = f"{LIST}{opportunity.pk}/"
    writer.patch(
        detail,
        {"title": "Darkroom printing, second edition"},
        content_type="application/json",
        headers={"authorization": f"Token {token}"},
    )
    assert writer.get(detail).json()["title"] == "Darkroom printing, second edition"
    time.sleep(1.5)
    assert writer.get(detail).json()["title"] == "Darkroom printing"  # from the replica


def test_a_reader_of_a_lagging_replica_is_served_the_machines_newer_snapshot_files(
    lagging_replica, settings, tmp_path
):
    """The snapshot writer reads the primary: its files are ahead of a lagging replica, and a
    worker reading that replica serves them (the newer facet counts) rather than taking the
    replica's older log for a restored database and building a snapshot of its own."""
    settings.OCLO_SEARCH_SNAPSHOT_DIR = tmp_path
    facet_index.reset()
    taxonomies_load()
    six, seven = EqfLevel.objects.get(level=6), EqfLevel.objects.get(level=7)
    opportunity = make_opportunity(title="Darkroom printing", eqf_level=six)
    wait_until_replayed()
    reader = Client()
    assert eqf_counts(reader) == {"6": 1}

    lagging_replica.pause()
    opportunity.eqf_level = seven
    opportunity.save()
    writer = manage("search_snapshot", "--once", OCLO_SEARCH_SNAPSHOT_DIR=str(tmp_path))
    assert writer.wait(120) == 0, writer.stderr.read()
    assert LearningOpportunity.objects.using(REPLICA).get(pk=opportunity.pk).eqf_level_id == 6
    assert eqf_counts(reader) == {"7": 1}
