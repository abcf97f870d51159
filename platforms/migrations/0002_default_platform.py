from django.db import migrations


def create_default_platform(apps, schema_editor):
    Platform = apps.get_model("platforms", "Platform")
    Platform.objects.get_or_create(
        code="CCPRO", defaults={"name": "CryptoCoin", "base_url": "https://app.cryptocoin.pro/"}
    )


class Migration(migrations.Migration):
    dependencies = [("platforms", "0001_initial")]
    operations = [migrations.RunPython(create_default_platform, migrations.RunPython.noop)]
