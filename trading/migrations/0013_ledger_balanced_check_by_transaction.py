"""The zero-sum trigger (0004) looked at the whole ledger on every entry it checked.

Its `IF EXISTS (SELECT 1 … WHERE transaction_id = … GROUP BY asset_id HAVING …)` made the planner optimise the
subquery for its first row: it walked the asset_id index over every entry of the ledger (sorted groups) and
filtered by transaction, so each posting cost O(ledger size) three times over at commit (1.6 ms per entry with
17,000 entries; docs/performance.md, "Round 2"). Counting the unbalanced groups reads the whole (tiny) result, so
the planner takes the transaction_id index: same check, same error, a few entries read. PostgreSQL only.
"""

from django.db import migrations

BY_TRANSACTION = """
CREATE OR REPLACE FUNCTION trading_ledger_assert_balanced() RETURNS trigger AS $$
DECLARE
    unbalanced integer;
BEGIN
    SELECT count(*) INTO unbalanced FROM (
        SELECT 1 FROM trading_ledgerentry
        WHERE transaction_id = NEW.transaction_id
        GROUP BY asset_id HAVING SUM(amount) <> 0
    ) AS unbalanced_assets;
    IF unbalanced > 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not sum to zero per asset', NEW.transaction_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

AS_IN_0004 = """
CREATE OR REPLACE FUNCTION trading_ledger_assert_balanced() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM trading_ledgerentry
        WHERE transaction_id = NEW.transaction_id
        GROUP BY asset_id HAVING SUM(amount) <> 0
    ) THEN
        RAISE EXCEPTION 'ledger transaction % does not sum to zero per asset', NEW.transaction_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BY_TRANSACTION, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AS_IN_0004, params=None)


class Migration(migrations.Migration):
    dependencies = [("trading", "0012_transfer_orders_backfill")]
    operations = [migrations.RunPython(forward, backward)]
