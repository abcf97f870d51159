from django.db import migrations


def create_feed(apps, schema_editor):
    apps.get_model("trading", "RateFeed").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("trading", "0003_operations_rates")]

    operations = [migrations.RunPython(create_feed, migrations.RunPython.noop)]
