"""Tasks whose worker died (killed, out of memory, machine restarted) run again.

django-tasks marks a task RUNNING when a worker claims it and never looks at it again: a task
whose worker was killed stays RUNNING for ever, and its import job with it. So each worker
holds a lease named after its worker id for as long as it lives, on a connection of its own
(a PostgreSQL advisory lock; on SQLite, which is one machine's file, a lock file): the
database or the kernel releases it when the process dies, however it dies. A starting worker
puts back in the queue every RUNNING task whose worker no longer holds its lease. The imports
are safe to run again: rows a first run wrote count as unchanged, nothing is written twice.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db import connections, router
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


class WorkerLeaseTaken(Exception):
    """Another living worker holds this worker id."""


def _lease_key(worker_id: str) -> int:
    digest = hashlib.sha256(f"oclo-task-worker:{worker_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _database():
    return connections[router.db_for_write(DBTaskResult)]


class _Lease:
    """A lock that lives exactly as long as the process (or the connection) holding it."""

    def __init__(self, worker_id: str):
        self.key = _lease_key(worker_id)
        self.database = _database()
        self.handle = None

    def acquire(self) -> bool:
        if self.database.vendor == "postgresql":
            # A connection Django does not manage: the worker closes its own between tasks.
            self.handle = self.database.get_new_connection(self.database.get_connection_params())
            self.handle.autocommit = True
            taken = self.handle.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()[0]
        else:
            name = str(self.database.settings_dict["NAME"])
            digest = hashlib.sha256(name.encode()).hexdigest()[:16]
            path = Path(tempfile.gettempdir()) / f"oclo-worker-{digest}-{self.key}.lock"
            self.handle = open(path, "a")  # noqa: SIM115 - held open for the lease's life
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                taken = True
            except BlockingIOError:
                taken = False
        if not taken:
            self.release()
        return taken

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # ends the session (PostgreSQL) or the file lock
            self.handle = None


@contextmanager
def worker_lease(worker_id: str):
    """Hold this worker's lease while the block runs (and no longer than the process)."""
    lease = _Lease(worker_id)
    if not lease.acquire():
        raise WorkerLeaseTaken(f"A living worker already runs with the id {worker_id!r}.")
    try:
        yield
    finally:
        lease.release()


def worker_is_alive(worker_id: str) -> bool:
    probe = _Lease(worker_id)
    if probe.acquire():
        probe.release()
        return False
    return True


def orphaned_tasks_requeue(*, backend_name: str = "default") -> int:
    """Put back in the queue the tasks whose worker died while running them; how many."""
    requeued = 0
    running = DBTaskResult.objects.filter(
        backend_name=backend_name, status=TaskResultStatus.RUNNING
    ).only("pk", "worker_ids", "task_path")
    for task in running:
        if task.worker_ids and worker_is_alive(task.worker_ids[-1]):
            continue
        # Only if it is still RUNNING: another starting worker may have put it back already.
        if DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        ):
            requeued += 1
            logger.warning(
                "Task %s (%s) was running in worker %s, which is gone: queued again.",
                task.pk,
                task.task_path,
                task.worker_ids[-1] if task.worker_ids else "?",
            )
    return requeued


def in_reloader_parent(reload: bool) -> bool:
    """With ``--reload`` the first process only watches files; the child runs the tasks."""
    return reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
