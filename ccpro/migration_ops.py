"""Helpers for the project's migrations."""


def index_sql(statement: str):
    """A RunPython function running `statement` (an index's CREATE or DROP with a `{concurrently}` slot)
    CONCURRENTLY on PostgreSQL — no ACCESS EXCLUSIVE lock held on a hot table until the commit, a build that does
    not block writes; the migration must be `atomic = False` — and plainly on SQLite (the embedded demo database)."""

    def run(apps, schema_editor):
        concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(statement.format(concurrently=concurrently))

    return run
