"""The index migrations of session 3 on PostgreSQL: each index dropped or built CONCURRENTLY, one statement per
index outside a transaction (no ACCESS EXCLUSIVE lock on trading_ledgerentry / trading_transfer until a commit,
no build blocking writes), forwards and backwards. The SQLite demo runs them plainly
(tests/ledger/test_sqlite_demo_ledger.py)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True)

DROPPED = {
    "trading_ledgerentry_account_id_912daafb",
    "trading_transfer_by_user_id_9f9b7ac2",
    "trading_transfer_from_user_id_39e57f0f",
    "trading_transfer_to_user_id_e5474246",
    "notifications_notification_user_id_b5e8c0ff",
}
ADDED = {"notif_delivery_unsent_idx"}
BEFORE = [("trading", "0013_ledger_balanced_check_by_transaction"), ("notifications", "0002_delivery_queued_at")]


def valid_indexes(names) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname = ANY(%s) AND i.indisvalid AND i.indisready",
            [list(names)],
        )
        return {row[0] for row in cursor.fetchall()}


def migrate(targets) -> list[str]:
    executor = MigrationExecutor(connection)
    with CaptureQueriesContext(connection) as captured:
        executor.migrate(targets)
    return [query["sql"] for query in captured.captured_queries]


def latest() -> list[tuple[str, str]]:
    graph = MigrationExecutor(connection).loader.graph
    return [node for node in graph.leaf_nodes() if node[0] in ("trading", "notifications")]


def test_the_index_migrations_run_concurrently_backwards_and_forwards():
    if connection.vendor != "postgresql":
        pytest.skip("CONCURRENTLY: PostgreSQL only")
    assert valid_indexes(DROPPED) == set() and valid_indexes(ADDED) == ADDED
    try:
        backwards = migrate(BEFORE)
        assert valid_indexes(DROPPED) == DROPPED and valid_indexes(ADDED) == set()
        built = [sql for sql in backwards if sql.startswith("CREATE INDEX")]
        assert len(built) == len(DROPPED)
        assert all(sql.startswith("CREATE INDEX CONCURRENTLY IF NOT EXISTS") for sql in built), built
        assert [sql for sql in backwards if sql.startswith("DROP INDEX")] == [
            'DROP INDEX CONCURRENTLY IF EXISTS "notif_delivery_unsent_idx"'
        ]
    finally:
        forwards = migrate(latest())
    assert valid_indexes(DROPPED) == set() and valid_indexes(ADDED) == ADDED
    dropped = [sql for sql in forwards if sql.startswith("DROP INDEX")]
    assert sorted(dropped) == sorted(
        [f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"' for name in DROPPED | ADDED]  # ADDED: an invalid leftover
    )
    assert [sql for sql in forwards if sql.startswith("CREATE INDEX")] == [
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS "notif_delivery_unsent_idx" ON "notifications_delivery"'
        ' ("created_at", "id") WHERE ("attempts" = 0 AND "notification_id" IS NOT NULL AND "status" = \'pending\')'
    ]
    # PostgreSQL itself refuses CONCURRENTLY inside a transaction block: these ran outside one.
