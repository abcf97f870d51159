# The pending-deliveries sweep (notifications.services.deliveries_queue_pending, beat every 2 s) reads the pending,
# untried notification deliveries oldest first; notif_delivery_status_idx (status, created_at) made it walk every
# pending delivery, account mails and stamped rows included. This partial index holds only the rows in flight
# (docs/performance.md, "Session 3 — transfer confirm"). Built CONCURRENTLY on PostgreSQL (not atomic), so the
# deliveries table stays writable during the build; plain on SQLite (the embedded demo database).

from django.db import migrations, models

from ccpro.migration_ops import index_sql

INDEX = "notif_delivery_unsent_idx"
CREATE = (
    f'CREATE INDEX {{concurrently}}IF NOT EXISTS "{INDEX}" ON "notifications_delivery" ("created_at", "id")'
    " WHERE (\"attempts\" = 0 AND \"notification_id\" IS NOT NULL AND \"status\" = 'pending')"
)
DROP = f'DROP INDEX {{concurrently}}IF EXISTS "{INDEX}"'


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0003_notification_user_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        condition=models.Q(("attempts", 0), ("notification__isnull", False), ("status", "pending")),
                        fields=["created_at", "id"],
                        name=INDEX,
                    ),
                ),
            ],
            database_operations=[
                # A build interrupted half way leaves an INVALID index of that name: dropped first, then built.
                migrations.RunPython(index_sql(DROP), migrations.RunPython.noop),
                migrations.RunPython(index_sql(CREATE), index_sql(DROP)),
            ],
        ),
    ]
