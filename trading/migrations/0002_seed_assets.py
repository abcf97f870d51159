from django.db import migrations

# symbol, name, kind, chain symbol, decimals, position
ASSETS = [
    ("XBT", "Bitcoin", "coin", "XBT", 8, 1),
    ("ETH", "Ether", "coin", "ETH", 18, 2),
    ("IPSX", "IPSX", "token", "ETH", 18, 1),
    ("EUR", "Euro", "fiat", None, 2, 1),
    ("USD", "Usd", "fiat", None, 2, 2),
    ("RON", "Ron", "fiat", None, 2, 3),
    ("CHF", "Chf", "fiat", None, 2, 4),
]


def seed(apps, schema_editor):
    Asset = apps.get_model("trading", "Asset")
    for symbol, name, kind, _chain, decimals, position in ASSETS:
        Asset.objects.get_or_create(
            symbol=symbol, defaults={"name": name, "kind": kind, "decimals": decimals, "position": position}
        )
    for symbol, _name, _kind, chain, *_ in ASSETS:
        if chain:
            Asset.objects.filter(symbol=symbol, chain__isnull=True).update(chain=Asset.objects.get(symbol=chain))


class Migration(migrations.Migration):
    dependencies = [("trading", "0001_asset")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
