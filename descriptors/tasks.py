"""Work done by the task worker (`python manage.py task_worker`), away from web requests."""

from django.db import transaction
from django_tasks import task

from descriptors.imports import spreadsheet_import_run
from descriptors.models import Organisation, SpreadsheetImport


@task()
def spreadsheet_import_task(job_id: int) -> None:
    spreadsheet_import_run(SpreadsheetImport.objects.select_related("provider").get(pk=job_id))


def spreadsheet_import_start(
    *, provider: Organisation, uploaded_by, file_name: str, content: bytes
) -> SpreadsheetImport:
    """Keep an uploaded file and queue its preview (a dry run)."""
    job = SpreadsheetImport.objects.create(
        provider=provider, uploaded_by=uploaded_by, file_name=file_name, content=content
    )
    _enqueue(job)
    return job


def spreadsheet_import_confirm(*, job: SpreadsheetImport) -> SpreadsheetImport:
    """Queue the real import of a previewed file: the same bytes, so what lands is what was
    previewed (unless the records changed meanwhile: the import checks again)."""
    if not (job.dry_run and job.status == SpreadsheetImport.Status.DONE):
        raise ValueError("Only a finished preview can be confirmed.")
    job.dry_run, job.status, job.rows_done = False, SpreadsheetImport.Status.QUEUED, 0
    job.save(update_fields=["dry_run", "status", "rows_done"])
    _enqueue(job)
    return job


def spreadsheet_import_retry(*, job: SpreadsheetImport) -> SpreadsheetImport:
    """Queue a stalled job again (see ``SpreadsheetImport.is_stalled``). Running an import a
    second time is safe: the rows it had written count as unchanged."""
    if not job.is_stalled:
        raise ValueError("Only a job that has stopped making progress can be run again.")
    job.status, job.rows_done, job.error = SpreadsheetImport.Status.QUEUED, 0, ""
    job.save(update_fields=["status", "rows_done", "error", "updated"])
    _enqueue(job)
    return job


def _enqueue(job: SpreadsheetImport) -> None:
    # After commit: the worker must find the job's row when it picks the task up.
    transaction.on_commit(lambda: spreadsheet_import_task.enqueue(job.pk))
