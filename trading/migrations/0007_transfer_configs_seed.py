from decimal import Decimal

from django.db import migrations

# The house platform's transfer terms per crypto asset: (symbol, minimum amount, commission percent).
DEFAULTS = [
    ("XBT", Decimal("0.0001"), Decimal("1")),
    ("ETH", Decimal("0.001"), Decimal("1")),
    ("IPSX", Decimal("1"), Decimal("1")),
]


def seed(apps, schema_editor):
    Platform = apps.get_model("platforms", "Platform")
    Asset = apps.get_model("trading", "Asset")
    TransferConfig = apps.get_model("trading", "TransferConfig")
    platform, _ = Platform.objects.get_or_create(
        code="CCPRO", defaults={"name": "CryptoCoin", "base_url": "https://app.cryptocoin.pro/"}
    )
    for symbol, minimum, percent in DEFAULTS:
        asset = Asset.objects.filter(symbol=symbol).first()
        if asset is not None:
            TransferConfig.objects.get_or_create(
                platform=platform, asset=asset, defaults={"min_amount": minimum, "commission_percent": percent}
            )


class Migration(migrations.Migration):
    dependencies = [("trading", "0006_transfers"), ("platforms", "0002_default_platform")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
