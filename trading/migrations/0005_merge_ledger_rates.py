from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('trading', '0004_ledger_triggers'),
        ('trading', '0004_rate_feed_row'),
    ]

    operations = [
    ]
