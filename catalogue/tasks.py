"""Work done by the task worker (`python manage.py task_worker`), away from web requests."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from catalogue.models import ElmImport
from descriptors.elm_import import DocumentRejected, elm_import

UNEXPECTED_ERROR = (
    "An unexpected error stopped the import; it has been logged. The records before it are "
    "imported: send the document again to finish (records already imported count as unchanged)."
)


@task()
def elm_import_task(job_id: int) -> None:
    elm_import_run(ElmImport.objects.select_related("organisation").get(pk=job_id))


def elm_import_start(*, organisation, token, content: bytes) -> ElmImport:
    """Keep a document and queue its import."""
    job = ElmImport.objects.create(organisation=organisation, token=token, content=content)
    # After commit: the worker must find the job's row when it picks the task up.
    transaction.on_commit(lambda: elm_import_task.enqueue(job.pk))
    return job


def elm_import_run(job: ElmImport) -> None:
    """Import a queued document as its organisation's records, recording progress and the
    report; an unexpected error ends the job as failed and is raised again for the log."""
    jobs = ElmImport.objects.filter(pk=job.pk)
    jobs.update(status=ElmImport.Status.RUNNING, records_done=0, updated=timezone.now())
    try:
        report = elm_import(
            bytes(job.content),
            provider=job.organisation,
            total=lambda count: jobs.update(records_total=count, updated=timezone.now()),
            progress=lambda count: jobs.update(
                records_done=F("records_done") + count, updated=timezone.now()
            ),
        )
    except DocumentRejected as error:
        jobs.update(status=ElmImport.Status.FAILED, error=str(error), finished=timezone.now())
        return
    except Exception:
        jobs.update(status=ElmImport.Status.FAILED, error=UNEXPECTED_ERROR, finished=timezone.now())
        raise
    jobs.update(
        status=ElmImport.Status.DONE,
        report=report.as_json(),
        content=b"",  # imported: the records themselves now hold what it said
        finished=timezone.now(),
        updated=timezone.now(),
    )
