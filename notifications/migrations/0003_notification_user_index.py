# The inbox rows' single-column user index is covered by notif_user_created_idx (user_id, created_at DESC), which
# serves every lookup by user (docs/performance.md, "Session 3 — transfer confirm"). Only the index is dropped:
# Django's own AlterField would drop and re-validate the foreign key over the whole table. Not atomic: the index
# is dropped (backwards: built) CONCURRENTLY on PostgreSQL, without locking the inbox table against writes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ccpro.migration_ops import index_sql


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0002_delivery_queued_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    index_sql('DROP INDEX {concurrently}IF EXISTS "notifications_notification_user_id_b5e8c0ff"'),
                    index_sql(
                        'CREATE INDEX {concurrently}IF NOT EXISTS "notifications_notification_user_id_b5e8c0ff"'
                        ' ON "notifications_notification" ("user_id")'
                    ),
                ),
            ],
        ),
    ]
