"""A task worker killed in the middle of an import: the next worker to start runs the job
again, and it ends with every row imported once."""

import signal
import time

import pytest
from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from descriptors.models import LearningOpportunity, SpreadsheetImport
from descriptors.tasks import spreadsheet_import_confirm, spreadsheet_import_start
from descriptors.worker import orphaned_tasks_requeue
from taxonomies.loaders import taxonomies_load
from tests.builders import make_organisation
from tests.descriptors.formats.test_spreadsheet_import import csv_bytes, row
from tests.processes import manage

pytestmark = pytest.mark.django_db(transaction=True)  # the workers open their own transactions
ROWS = 1500


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"after {seconds} s still waiting for {what}")


def run_worker_until_the_queue_is_empty():
    call_command("task_worker", "--batch", "--no-startup-delay", "--no-reload")


@pytest.mark.heavy
def test_a_killed_workers_import_is_finished_by_the_next_worker_without_duplicates():
    taxonomies_load()
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    raw = csv_bytes([row(f"K-{number}", title=f"Course {number}") for number in range(ROWS)])
    job = spreadsheet_import_start(
        provider=provider, uploaded_by=None, file_name="offer.csv", content=raw
    )
    run_worker_until_the_queue_is_empty()  # the preview
    job.refresh_from_db()
    spreadsheet_import_confirm(job=job)

    worker = manage("task_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
    try:
        jobs = SpreadsheetImport.objects.filter(pk=job.pk)
        wait_for(lambda: jobs.filter(rows_done__gt=0).exists(), 60, "the first rows")
        # While it runs, a worker that starts leaves its task alone: no second run.
        assert orphaned_tasks_requeue() == 0
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    job.refresh_from_db()
    assert job.status == SpreadsheetImport.Status.RUNNING
    assert 0 < LearningOpportunity.objects.count() < ROWS, "killed in the middle"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 1

    run_worker_until_the_queue_is_empty()  # a worker starts: no click, no 10 minutes
    job.refresh_from_db()
    assert job.status == SpreadsheetImport.Status.DONE
    assert job.rows_done == ROWS
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    references = LearningOpportunity.objects.values_list("provider_reference", flat=True)
    assert len(references) == len(set(references)) == ROWS


def test_two_workers_cannot_share_an_id():
    first = manage("task_worker", "--no-reload", "--worker-id", "w1", "--interval", "0.1")
    try:
        time.sleep(4)  # started and holding its lease
        assert first.poll() is None
        second = manage("task_worker", "--no-reload", "--worker-id", "w1")
        _, errors = second.communicate(timeout=60)
        assert second.returncode != 0
        assert "A living worker already runs with the id 'w1'." in errors
    finally:
        first.kill()
        first.wait(10)
