"""Writes of the markets: polling the rate feed, compacting the history, staff rate entry, default setup."""

import logging
import time
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import BigIntegerField, ExpressionWrapper, F, Max
from django.utils import timezone

from .models import Asset, ManualRate, Operation, OperationConfig, PaymentMethod, RateSnapshot, SecondOperation
from .rate_providers import REFERENCE_FIAT, ManualProvider, RateProviderError, provider_for
from .selectors import CURRENT_RATES_KEY, rate_feed_get

log = logging.getLogger(__name__)


def rates_poll(*, now: int | None = None) -> int:
    """Ask the configured provider for every active asset's EUR price and store one snapshot each.

    Assets the provider does not quote (RON or IPSX on Kraken) fall back to a staff-entered manual rate when
    there is one. A provider failure stores nothing: the rates simply age until they are stale, and the
    operations priced from them become unavailable. Returns the number of snapshots stored.
    """
    now = int(time.time()) if now is None else now
    feed = rate_feed_get()
    assets = {a.symbol: a for a in Asset.objects.filter(active=True).exclude(symbol=REFERENCE_FIAT)}
    symbols = sorted(assets)
    provider = provider_for(feed)
    try:
        prices = provider.fetch(symbols, now=now)
    except RateProviderError as exc:
        log.warning("rate feed %s failed: %s", provider.name, exc)
        prices = {}
    missing = [s for s in symbols if s not in prices]
    if missing and provider.name != ManualProvider.name:
        prices.update({s: p for s, p in ManualProvider().fetch(missing, now=now).items()})
    snapshots = [
        RateSnapshot(asset=assets[s], price=price, source=provider.name, ts=now)
        for s, price in prices.items()
        if s in assets and isinstance(price, Decimal) and price.is_finite() and price > 0
    ]
    RateSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    # The cached current rates are rebuilt from the database on next read (one query).
    transaction.on_commit(lambda: cache.delete(CURRENT_RATES_KEY))
    return len(snapshots)


def rate_snapshots_compact(*, older_than_seconds: int = 2 * 86400, bucket_seconds: int = 3600, now=None) -> int:
    """Keep one snapshot per asset and hour (the last) for anything older than two days, so the history stays
    bounded (~9k rows per asset and year) whatever the polling frequency."""
    now = int(time.time()) if now is None else now
    old = RateSnapshot.objects.filter(ts__lt=now - older_than_seconds)
    keep = (
        old.annotate(bucket=ExpressionWrapper(F("ts") / bucket_seconds, output_field=BigIntegerField()))
        .values("asset", "bucket")
        .annotate(last=Max("id"))
        .values("last")
    )
    deleted, _ = old.exclude(id__in=keep).delete()
    return deleted


@transaction.atomic
def manual_rate_set(*, actor, asset: Asset, price: Decimal) -> ManualRate:
    """Staff set an asset's EUR price; the manual provider (or the fallback) uses it from the next poll."""
    if not isinstance(price, Decimal) or not price.is_finite() or price <= 0:
        raise ValueError("price must be a positive Decimal")
    rate, _ = ManualRate.objects.update_or_create(
        asset=asset, defaults={"price": price, "updated_at": timezone.now(), "updated_by": actor}
    )
    return rate


# What a platform offers out of the box: every operation on every crypto, buys and sells per fiat too.
DEFAULT_COMMISSIONS = {
    Operation.BUY_WITH_FIAT: Decimal("1.5"),
    Operation.SELL_TO_FIAT: Decimal("1.5"),
    Operation.BUY_WITH_CRYPTO: Decimal("1"),
    Operation.SELL_TO_CRYPTO: Decimal("1"),
    Operation.WITHDRAW: Decimal("0.5"),
    Operation.WITHDRAW_ICO: Decimal("2"),
    Operation.DEPOSIT: Decimal("0"),
}


@transaction.atomic
def operations_enable_defaults(*, platform) -> int:
    """Create (without touching existing rows) the General and per-fiat Particular configuration of every
    active crypto asset for a platform, and bank and card payment methods for every fiat."""
    created = 0
    cryptos = Asset.objects.filter(active=True).exclude(kind=Asset.Kind.FIAT)
    fiats = list(Asset.objects.filter(active=True, kind=Asset.Kind.FIAT))
    for asset in cryptos:
        operations = [op for op in Operation if op != Operation.WITHDRAW_ICO or asset.kind == Asset.Kind.TOKEN]
        scopes = [(op, None) for op in operations] + [
            (op, fiat) for fiat in fiats for op in (Operation.BUY_WITH_FIAT, Operation.SELL_TO_FIAT)
        ]
        for position, (operation, fiat) in enumerate(scopes):
            config, new = OperationConfig.objects.get_or_create(
                platform=platform,
                asset=asset,
                operation=operation,
                fiat=fiat,
                defaults={"commission_percent": DEFAULT_COMMISSIONS[operation], "position": position},
            )
            created += new
            if new and operation in (Operation.BUY_WITH_FIAT, Operation.BUY_WITH_CRYPTO):
                second = Operation.WITHDRAW_ICO if asset.kind == Asset.Kind.TOKEN else Operation.WITHDRAW
                SecondOperation.objects.create(config=config, operation=second, mandatory=False)
    for fiat in fiats:
        PaymentMethod.objects.get_or_create(
            platform=platform,
            kind=PaymentMethod.Kind.BANK,
            fiat=fiat,
            defaults={
                "name": fiat.symbol,
                "first_max_order_value": Decimal(1000),
                "lower_status": True,
                "lower_value": Decimal(50),
            },
        )
        PaymentMethod.objects.get_or_create(
            platform=platform,
            kind=PaymentMethod.Kind.CARD,
            fiat=fiat,
            defaults={
                "name": "MobilPay",
                "first_max_order_value": Decimal(1000),
                "lower_status": True,
                "lower_value": Decimal(50),
                "fee_percent": Decimal("2.5"),
                "fee_on_top": True,
            },
        )
    return created
