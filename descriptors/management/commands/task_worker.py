"""The task worker: django-tasks' ``db_worker``, which on start first queues again the tasks
of workers that died while running them (see ``descriptors.worker``)."""

from django_tasks_db.management.commands import db_worker

from descriptors.worker import in_reloader_parent, orphaned_tasks_requeue, worker_lease


class Command(db_worker.Command):
    help = (
        "Run the task worker (spreadsheet and ELM imports). On start, tasks left running by a "
        "worker that died are queued again."
    )

    def handle(self, *args, **options):
        if in_reloader_parent(options["reload"]):
            return super().handle(*args, **options)
        with worker_lease(options["worker_id"]):
            requeued = orphaned_tasks_requeue(backend_name=options["backend_name"])
            if requeued:
                self.stderr.write(f"{requeued} task(s) left by a dead worker queued again.")
            return super().handle(*args, **options)
