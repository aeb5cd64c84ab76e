"""Work done by the task worker (`python manage.py db_worker`), away from web requests."""

from django_tasks import task

from taxonomies.embeddings import skill_embeddings_update


@task()
def skill_embeddings_task() -> None:
    skill_embeddings_update()
