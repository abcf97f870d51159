"""Demo market: the house platform CCPRO offers everything, the simulated feed is live (Celery beat polls it
every few seconds) and a year of its history is backfilled so the charts have something to show."""

import time

from platforms.services import default_platform

from .models import Asset, RateFeed, RateSnapshot
from .rate_providers import REFERENCE_FIAT, SimulatedProvider
from .selectors import HISTORY_PERIODS
from .services import operations_enable_defaults, rates_poll

BACKFILL_STEP_OLD = 3600  # one point an hour over the year
BACKFILL_STEP_RECENT = 300  # one every five minutes over the last two days


def seed() -> list[str]:
    platform = default_platform()
    created = operations_enable_defaults(platform=platform)
    feed, _ = RateFeed.objects.get_or_create(pk=1, defaults={"provider": RateFeed.Provider.SIMULATED})
    now = int(time.time())
    if feed.provider == RateFeed.Provider.SIMULATED and not RateSnapshot.objects.exists():
        provider = SimulatedProvider(feed.simulated_seed)
        assets = list(Asset.objects.filter(active=True).exclude(symbol=REFERENCE_FIAT))
        start = now - HISTORY_PERIODS["year"]
        instants = [
            *range(start, now - 2 * 86400, BACKFILL_STEP_OLD),
            *range(now - 2 * 86400, now, BACKFILL_STEP_RECENT),
        ]
        RateSnapshot.objects.bulk_create(
            [
                RateSnapshot(asset=asset, price=price, source=provider.name, ts=ts)
                for ts in instants
                for asset in assets
                if (price := provider.price_at(asset.symbol, ts)) is not None
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    rates_poll(now=now)
    return [
        f"markets: CCPRO offers buy/sell/withdraw on XBT, ETH, IPSX ({created} operation settings created); "
        f"rate feed '{feed.provider}' polled by beat; GET /api/v1/user/<id>/price/buy/EUR/XBT?from_amount=100"
    ]
