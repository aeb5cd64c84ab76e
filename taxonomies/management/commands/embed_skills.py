import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from taxonomies import embeddings
from taxonomies.tasks import skill_embeddings_task


class Command(BaseCommand):
    help = (
        "Embed the ESCO skills with the sentence-embedding model (the optional extra 'skills') "
        "for skill suggestions and the recognition comparison. Only skills whose text is new or "
        "changed since the last run are embedded; run it after each import_esco."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Leave the work to the task worker (manage.py db_worker) and return at once; "
            "suggestions stay lexical until it is done.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, queue, no_progress, **options):
        if not embeddings.encoder_available():
            raise CommandError(
                f"The embedding model is not installed (pip install {embeddings.MODEL_PACKAGE}, "
                "or the project's 'skills' extra): skill suggestions use the lexical method."
            )
        if queue:
            skill_embeddings_task.enqueue()
            self.stdout.write("Skill embeddings queued for the task worker.")
            return
        bar = None if no_progress else tqdm(unit=" skills", file=sys.stderr, leave=False)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        update = embeddings.skill_embeddings_update(progress=progress if bar else None)
        if bar:
            bar.close()
        self.stdout.write(
            f"skill embeddings ({embeddings.model_name()}): {update.embedded} embedded, "
            f"{update.unchanged} unchanged, {update.removed} of other models removed"
        )
