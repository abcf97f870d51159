# Deliveries of a notification batch are handed to their task by a short sweep (notifications.services.
# deliveries_queue_pending) instead of a Celery publish per request; `queued_at` tells the sweep which ones
# were handed out already. Pending rows that exist now had their task published when they were created.

from django.db import migrations, models
from django.db.models import F


def mark_published(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    Delivery.objects.filter(status="pending", queued_at__isnull=True).update(queued_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="queued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_published, migrations.RunPython.noop),
    ]
