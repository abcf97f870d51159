# Single-column indexes covered by a composite index with the same leading column (docs/performance.md,
# "Session 3 — transfer confirm"): written on every posting and on every transfer completion (its UPDATE is never
# HOT), read by nothing the composite does not serve: trading_led_account_e80b37_idx (account_id, id) and
# (by_user|from_user|to_user, created_at DESC). Only the indexes are dropped (the foreign keys stay as they are).
# Not atomic: each index is dropped (or, backwards, built) CONCURRENTLY on PostgreSQL, in its own statement, so
# neither table is locked against writes for the duration (a plain DROP INDEX holds ACCESS EXCLUSIVE on the table
# until the commit; a plain CREATE INDEX blocks writes for the whole build).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ccpro.migration_ops import index_sql

INDEXES = [
    ("trading_ledgerentry_account_id_912daafb", "trading_ledgerentry", "account_id"),
    ("trading_transfer_by_user_id_9f9b7ac2", "trading_transfer", "by_user_id"),
    ("trading_transfer_from_user_id_39e57f0f", "trading_transfer", "from_user_id"),
    ("trading_transfer_to_user_id_e5474246", "trading_transfer", "to_user_id"),
]


def _user_fk(related_name):
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("trading", "0013_ledger_balanced_check_by_transaction"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="trading.ledgeraccount",
                    ),
                ),
                migrations.AlterField(model_name="transfer", name="by_user", field=_user_fk("transfers_created")),
                migrations.AlterField(model_name="transfer", name="from_user", field=_user_fk("transfers_paid")),
                migrations.AlterField(model_name="transfer", name="to_user", field=_user_fk("transfers_received")),
            ],
            database_operations=[
                migrations.RunPython(
                    index_sql(f'DROP INDEX {{concurrently}}IF EXISTS "{name}"'),
                    index_sql(f'CREATE INDEX {{concurrently}}IF NOT EXISTS "{name}" ON "{table}" ("{column}")'),
                )
                for name, table, column in INDEXES
            ],
        ),
    ]
