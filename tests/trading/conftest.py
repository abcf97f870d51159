import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from platforms.services import default_platform
from trading.models import Asset, OperationConfig, RateSnapshot
from trading.selectors import CURRENT_RATES_KEY
from trading.services import operations_enable_defaults

# Prices in EUR used throughout (the reference's examples: XBT 6377 EUR, ETH 160.16 EUR, IPSX 6.304E-5).
PRICES = {"XBT": "6377", "ETH": "160.16", "IPSX": "0.00006304", "USD": "0.9", "RON": "0.2", "CHF": "1.05"}


def set_rates(prices: dict, *, ts: int | None = None):
    ts = int(time.time()) if ts is None else ts
    for symbol, price in prices.items():
        RateSnapshot.objects.update_or_create(
            asset=Asset.objects.get(symbol=symbol), ts=ts, defaults={"price": Decimal(price), "source": "test"}
        )
    cache.delete(CURRENT_RATES_KEY)


def set_commission(asset: str, operation: str, percent: str, fiat: str | None = None):
    config = (
        OperationConfig.objects.get(platform__code="CCPRO", asset__symbol=asset, operation=operation, fiat__symbol=fiat)
        if fiat
        else OperationConfig.objects.get(
            platform__code="CCPRO", asset__symbol=asset, operation=operation, fiat__isnull=True
        )
    )
    config.commission_percent = Decimal(percent)
    config.save()
    return config


@pytest.fixture
def market(db):
    """CCPRO offering every operation with no commission, and fresh rates."""
    platform = default_platform()
    operations_enable_defaults(platform=platform)
    OperationConfig.objects.update(commission_percent=0)
    set_rates(PRICES)
    cache.clear()
    return platform
