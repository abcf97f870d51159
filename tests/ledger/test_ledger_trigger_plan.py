"""The zero-sum trigger must read one transaction's entries, not the ledger (trading migration 0013).

With `IF EXISTS (… GROUP BY asset_id HAVING …)` PostgreSQL planned the check for its first row and walked the
asset_id index over every entry of the ledger, for each entry it checked, whenever the table had no statistics.
auto_explain (nested statements, reported to this session as NOTICEs) shows the plan the trigger really runs, on a
ledger large enough for the planner to care."""

from decimal import Decimal

import pytest
from django.db import connection

from trading.ledger import customer_account, ledger_post, system_account
from trading.ledger_models import LedgerAccount
from trading.models import Asset

from ..factories import UserFactory

LEDGER_SIZE = 20_000


@pytest.mark.django_db
def test_the_balance_check_reads_the_transactions_entries_through_their_index():
    eth = Asset.objects.get(symbol="ETH")
    user = UserFactory()
    payer = system_account(asset=eth, kind=LedgerAccount.Kind.OMNIBUS)
    payee = customer_account(user=user, asset=eth)
    assets = list(Asset.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        try:
            cursor.execute("LOAD 'auto_explain'")
        except Exception:  # noqa: BLE001 - contrib module missing or not allowed: nothing to look at
            pytest.skip("auto_explain is not available on this server")
        # A big ledger (rolled back with the test), written without firing the triggers: balanced pairs spread
        # over the assets, as a real ledger is.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO trading_ledgertransaction (idempotency_key, kind, reference, memo, created_at)"
            " SELECT 'plan-test-' || n, 'deposit', '', '', now() FROM generate_series(1, %s) AS n",
            [LEDGER_SIZE // 2],
        )
        cursor.execute(
            "INSERT INTO trading_ledgerentry (transaction_id, account_id, asset_id, amount, created_at)"
            " SELECT t.id, %s, (%s::bigint[])[1 + t.id %% %s], side * 1, now()"
            " FROM trading_ledgertransaction t CROSS JOIN (VALUES (1), (-1)) AS s (side)"
            " WHERE t.idempotency_key LIKE 'plan-test-%%'",
            [payee.pk, assets, len(assets)],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        # No statistics yet, as after a bulk load or a restore until autovacuum analyses the table (this
        # machine runs with autovacuum off): the planner falls back on its default estimates, and the plans
        # already cached by this session (the trigger's included) are made again.
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'trading_ledgerentry'::regclass")
        cursor.execute("DISCARD PLANS")
        for setting in ("log_min_duration = 0", "log_nested_statements = on", "log_level = notice"):
            cursor.execute(f"SET LOCAL auto_explain.{setting}")
        cursor.execute("SET LOCAL client_min_messages = notice")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred trigger fires now, not at the commit

    plans = []
    connection.connection.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
    try:
        ledger_post(idempotency_key="plan-test", kind="deposit", legs=[(payer, -Decimal(1)), (payee, Decimal(1))])
    finally:
        connection.connection._notice_handlers.clear()

    checks = [plan for plan in plans if "GROUP BY asset_id HAVING SUM(amount)" in plan]
    assert len(checks) == 2, plans  # one per entry written
    for plan in checks:
        assert "trading_ledgerentry_transaction_id" in plan, plan
        assert "Seq Scan" not in plan and "trading_ledgerentry_asset_id" not in plan, plan
