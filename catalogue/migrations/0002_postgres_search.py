"""PostgreSQL search support: unaccent and pg_trgm, an accent-free text search configuration and
a trigram index for "did you mean". Nothing to do on SQLite, which matches in Python."""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'oclo') THEN
           CREATE TEXT SEARCH CONFIGURATION oclo (COPY = simple);
           ALTER TEXT SEARCH CONFIGURATION oclo
             ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
         END IF;
       END $$""",
    "CREATE INDEX IF NOT EXISTS search_word_trigram ON catalogue_searchword "
    "USING gin (word gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_word_trigram",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS oclo",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
