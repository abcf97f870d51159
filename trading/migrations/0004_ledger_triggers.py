"""Database-level guards of the ledger (see trading/ledger_models.py).

PostgreSQL: a deferred constraint trigger refuses, at commit, any transaction whose entries do not sum to zero
per asset; row triggers refuse UPDATE and DELETE of entries and transactions. SQLite (the embedded development
default) gets the immutability triggers; production runs on PostgreSQL.
"""

from django.db import migrations

POSTGRES_FORWARD = """
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

CREATE CONSTRAINT TRIGGER trading_ledgerentry_balanced
    AFTER INSERT ON trading_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION trading_ledger_assert_balanced();

CREATE OR REPLACE FUNCTION trading_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are immutable: post a correcting transaction instead'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trading_ledgerentry_immutable
    BEFORE UPDATE OR DELETE ON trading_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION trading_ledger_refuse_change();

CREATE TRIGGER trading_ledgertransaction_immutable
    BEFORE UPDATE OR DELETE ON trading_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION trading_ledger_refuse_change();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS trading_ledgertransaction_immutable ON trading_ledgertransaction;
DROP TRIGGER IF EXISTS trading_ledgerentry_immutable ON trading_ledgerentry;
DROP TRIGGER IF EXISTS trading_ledgerentry_balanced ON trading_ledgerentry;
DROP FUNCTION IF EXISTS trading_ledger_refuse_change();
DROP FUNCTION IF EXISTS trading_ledger_assert_balanced();
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER trading_{table}_immutable_{op.lower()} BEFORE {op} ON trading_{table}
        BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable'); END;"""
    for table in ("ledgerentry", "ledgertransaction")
    for op in ("UPDATE", "DELETE")
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for table in ("ledgerentry", "ledgertransaction"):
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS trading_{table}_immutable_{op}")


class Migration(migrations.Migration):
    dependencies = [("trading", "0003_ledger")]
    operations = [migrations.RunPython(forward, backward)]
