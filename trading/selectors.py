"""Reads about assets and a user's money. The ledger issue replaces the body of `user_holds_balance`."""

import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import BigIntegerField, ExpressionWrapper, F, Max, OuterRef, Subquery

from platforms.models import DEFAULT_PLATFORM_CODE, Platform, PlatformUserLink

from .exceptions import RateUnavailable, UnknownCurrency
from .models import (
    RATE_DEPENDENT_OPERATIONS,
    Asset,
    OperationConfig,
    PaymentMethod,
    RateFeed,
    RateSnapshot,
    UserPricing,
)
from .rate_providers import REFERENCE_FIAT


def user_holds_balance(*, user) -> bool:
    """Whether the user holds any available or pending funds (blocks closing the account)."""
    from .ledger_selectors import user_holds_funds

    return user_holds_funds(user=user)


def asset_get(symbol: str, *, active_only: bool = True) -> Asset | None:
    """The asset with this symbol (case-insensitive: `eth` is ETH), or None; inactive ones only on request."""
    qs = Asset.objects.select_related("chain")
    if active_only:
        qs = qs.filter(active=True)
    return qs.filter(symbol=str(symbol or "").upper()).first()


def asset_list(*, kind: str | None = None, active_only: bool = True):
    """Assets in display order, optionally of one kind (`coin`, `token`, `fiat`)."""
    qs = Asset.objects.select_related("chain")
    if active_only:
        qs = qs.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "position", "symbol")


# --- Market configuration (cached) ---------------------------------------------------------------
#
# Every price request needs the assets, the platform's operation configuration and the feed settings. They
# change only when staff edit them, so they are read once into plain frozen objects and kept in the cache
# under a version number that any write to those tables bumps (signals in apps.py).

CONFIG_VERSION_KEY = "trading:config:version"
CONFIG_TTL = 3600
USER_MARKET_TTL = 60


@dataclass(frozen=True)
class AssetInfo:
    symbol: str
    name: str
    kind: str
    decimals: int
    chain_symbol: str | None
    chain_name: str | None
    position: int

    @property
    def is_fiat(self) -> bool:
        return self.kind == Asset.Kind.FIAT


@dataclass(frozen=True)
class OperationInfo:
    asset: str
    operation: str
    fiat: str | None
    status: bool
    crypto_min: Decimal | None
    crypto_max: Decimal | None
    fiat_min: Decimal | None
    fiat_max: Decimal | None
    commission_percent: Decimal
    second_operations: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class PaymentMethodInfo:
    kind: str
    name: str
    fiat: str
    status: bool
    fee_percent: Decimal
    fee_fixed: Decimal
    fee_on_top: bool


@dataclass(frozen=True)
class MarketConfig:
    platform_id: str
    assets: dict[str, AssetInfo]
    operations: tuple[OperationInfo, ...]
    payment_methods: tuple[PaymentMethodInfo, ...]
    max_age_seconds: int
    # The platform's own KYC reference (fiat, period type, period value), for the KYC period amounts.
    reference: tuple[str, str, int] = ("EUR", "MONTHS", 1)

    def operation(self, *, asset: str, operation: str, fiat: str | None = None) -> OperationInfo | None:
        """The Particular entry for the fiat when there is one, else the General entry."""
        general = None
        for op in self.operations:
            if op.asset == asset and op.operation == operation:
                if fiat is not None and op.fiat == fiat:
                    return op
                if op.fiat is None:
                    general = op
        return general

    def payment_method(self, *, kind: str, fiat: str) -> PaymentMethodInfo | None:
        return next((m for m in self.payment_methods if m.kind == kind and m.fiat == fiat), None)


def market_config_version() -> str:
    # A random token rather than a counter: after a cache flush the new version cannot collide with an old one
    # still held by a process (_LOCAL_CONFIGS).
    return cache.get_or_set(CONFIG_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def market_config_invalidate() -> None:
    """Staff changed an asset, operation, commission or platform: cached configurations are stale. Bumped at once
    and again after the commit, since a reader between the two may have cached the rows as they were before it."""
    from django.db import transaction

    def bump():
        cache.set(CONFIG_VERSION_KEY, uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def rate_feed_get() -> RateFeed:
    feed, _ = RateFeed.objects.get_or_create(pk=1)
    return feed


def _market_config_load(platform_id) -> MarketConfig:
    assets = {
        a.symbol: AssetInfo(
            symbol=a.symbol,
            name=a.name,
            kind=a.kind,
            decimals=a.decimals,
            chain_symbol=a.chain.symbol if a.chain_id else None,
            chain_name=a.chain.name if a.chain_id else None,
            position=a.position,
        )
        for a in Asset.objects.filter(active=True).select_related("chain").order_by("position", "symbol")
    }
    configs = OperationConfig.objects.filter(platform_id=platform_id)
    if not configs.exists():
        # A platform without its own configuration offers what the house platform offers.
        configs = OperationConfig.objects.filter(platform__code=DEFAULT_PLATFORM_CODE)
    operations = tuple(
        OperationInfo(
            asset=c.asset.symbol,
            operation=c.operation,
            fiat=c.fiat.symbol if c.fiat_id else None,
            status=c.status,
            crypto_min=c.crypto_min,
            crypto_max=c.crypto_max,
            fiat_min=c.fiat_min,
            fiat_max=c.fiat_max,
            commission_percent=c.commission_percent,
            second_operations=tuple((s.operation, s.mandatory) for s in c.second_operations.all()),
        )
        for c in configs.select_related("asset", "fiat")
        .prefetch_related("second_operations")
        .order_by("asset__position", "fiat__position", "position", "id")
        if c.asset.symbol in assets and (c.fiat_id is None or c.fiat.symbol in assets)
    )
    methods = tuple(
        PaymentMethodInfo(
            kind=m.kind,
            name=m.name,
            fiat=m.fiat.symbol,
            status=m.status,
            fee_percent=m.fee_percent,
            fee_fixed=m.fee_fixed,
            fee_on_top=m.fee_on_top,
        )
        for m in PaymentMethod.objects.filter(platform_id=platform_id).select_related("fiat")
    )
    reference = (
        Platform.objects.filter(pk=platform_id)
        .values_list("reference_fiat", "reference_period_type", "reference_period_value")
        .first()
    )
    return MarketConfig(
        platform_id=str(platform_id),
        assets=assets,
        operations=operations,
        payment_methods=methods,
        max_age_seconds=rate_feed_get().max_age_seconds,
        reference=tuple(reference) if reference else MarketConfig.reference,
    )


# Built configurations are also kept in the process (keyed by version, so a bump makes them unreachable).
_LOCAL_CONFIGS: dict[str, MarketConfig] = {}


def market_config(*, platform_id, version: str | None = None) -> MarketConfig:
    # "2": the shape of MarketConfig (a config pickled by older code under the same version is not reused).
    key = f"trading:config:2:{market_config_version() if version is None else version}:{platform_id}"
    config = _LOCAL_CONFIGS.get(key)
    if config is None:
        config = cache.get(key)
        if config is None:
            config = _market_config_load(platform_id)
            cache.set(key, config, CONFIG_TTL)
        if len(_LOCAL_CONFIGS) > 64:
            _LOCAL_CONFIGS.clear()
        _LOCAL_CONFIGS[key] = config
    return config


def market_for_user(*, user) -> tuple[MarketConfig, "UserMarket", dict[str, tuple[Decimal, int]]]:
    """The configuration of the user's platform, the user's platform and discount, and the current rates, in one
    cache round trip when warm (what every price request needs)."""
    config, market, current, _found = market_reads(user=user)
    return config, market, current


def market_reads(*, user, extra_keys=()) -> tuple[MarketConfig, "UserMarket", dict[str, tuple[Decimal, int]], dict]:
    """`market_for_user` plus whatever cache keys the caller needs as well (found ones in the last item), still
    one cache round trip when warm: the profile's KYC summary reads its own keys with the market's."""
    market_key = f"trading:user:{user.pk}"
    found = cache.get_many([CONFIG_VERSION_KEY, market_key, CURRENT_RATES_KEY, *extra_keys])
    version = found.get(CONFIG_VERSION_KEY) or market_config_version()
    market = found.get(market_key) or user_market(user=user)
    current = found.get(CURRENT_RATES_KEY)
    current = rates_current() if current is None else {**current, REFERENCE_FIAT: (Decimal(1), int(time.time()))}
    return market_config(platform_id=market.platform_id, version=version), market, current, found


@dataclass(frozen=True)
class UserMarket:
    platform_id: str
    discount_percent: Decimal


def user_market(*, user) -> UserMarket:
    """The platform whose configuration applies to the user (the first platform they came through, else
    CCPRO) and their commission discount; cached briefly."""
    key = f"trading:user:{user.pk}"
    found = cache.get(key)
    if found is None:
        link = (
            PlatformUserLink.objects.filter(user=user, active=True, platform__active=True)
            .order_by("created_at")
            .values_list("platform_id", flat=True)
            .first()
        )
        platform_id = link or Platform.objects.filter(code=DEFAULT_PLATFORM_CODE).values_list("pk", flat=True).first()
        discount = UserPricing.objects.filter(user=user).values_list("discount_percent", flat=True).first()
        found = UserMarket(platform_id=str(platform_id), discount_percent=discount or Decimal(0))
        cache.set(key, found, USER_MARKET_TTL)
    return found


def user_market_invalidate(*, user_id) -> None:
    cache.delete(f"trading:user:{user_id}")


# --- Rates ---------------------------------------------------------------------------------------

CURRENT_RATES_KEY = "trading:rates:current"
CURRENT_RATES_TTL = 3600


def rates_current() -> dict[str, tuple[Decimal, int]]:
    """The latest price in EUR of every asset that has one, with its Unix time; EUR itself is always 1."""
    current = cache.get(CURRENT_RATES_KEY)
    if current is None:
        latest = RateSnapshot.objects.filter(asset=OuterRef("asset")).order_by("-ts").values("ts")[:1]
        rows = (
            RateSnapshot.objects.filter(ts=Subquery(latest), asset__active=True)
            .values_list("asset__symbol", "price", "ts")
            .order_by()
        )
        current = {symbol: (price, ts) for symbol, price, ts in rows}
        cache.set(CURRENT_RATES_KEY, current, CURRENT_RATES_TTL)
    return {**current, REFERENCE_FIAT: (Decimal(1), int(time.time()))}


def rate_price(symbol: str, *, max_age_seconds: int | None, now: int | None = None, current=None) -> Decimal:
    """The current EUR price of an asset; raises RateUnavailable when there is none or it is older than allowed."""
    found = (rates_current() if current is None else current).get(symbol)
    now = int(time.time()) if now is None else now
    if found is None or (max_age_seconds is not None and now - found[1] > max_age_seconds):
        raise RateUnavailable()
    return found[0]


HISTORY_PERIODS = {
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "quarter": 91 * 86400,
    "semester": 182 * 86400,
    "year": 365 * 86400,
}
HISTORY_MAX_POINTS = 200
SUMMARY_DAY_POINTS = 48


def rate_history(*, symbol: str, period: str, points: int = HISTORY_MAX_POINTS, now: int | None = None):
    """[(price, ts)] over the period, oldest first: the last snapshot of each of at most `points` equal time
    buckets, so the answer stays small whatever the number of stored snapshots."""
    now = int(time.time()) if now is None else now
    span = HISTORY_PERIODS[period]
    # ceil(span / (points - 1)): a half-open span of that many widths touches at most `points` buckets.
    width = max(1, -(-span // max(points - 1, 1)))
    key = f"trading:history:{symbol}:{period}:{points}:{now // min(width, 60)}"
    found = cache.get(key)
    if found is not None:
        return found
    in_period = RateSnapshot.objects.filter(asset__symbol=symbol, ts__gt=now - span, ts__lte=now)
    last_per_bucket = (
        in_period.annotate(bucket=ExpressionWrapper(F("ts") / width, output_field=BigIntegerField()))
        .values("bucket")
        .annotate(last=Max("ts"))
        .values("last")
    )
    rows = list(in_period.filter(ts__in=Subquery(last_per_bucket)).order_by("ts").values_list("price", "ts"))
    cache.set(key, rows, min(width, 60))
    return rows


def rate_at(*, symbol: str, ts: int) -> Decimal | None:
    """The price in force at a past instant (the last snapshot at or before it)."""
    return (
        RateSnapshot.objects.filter(asset__symbol=symbol, ts__lte=ts)
        .order_by("-ts")
        .values_list("price", flat=True)
        .first()
    )


def rate_summary(*, symbol: str, now: int | None = None) -> dict:
    """`rates.raw` of the Currency Index: now, the price one day/week/… ago, and the day's history."""
    now = int(time.time()) if now is None else now
    key = f"trading:summary:{symbol}:{now // 60}"
    found = cache.get(key)
    if found is None:
        current = rates_current().get(symbol)
        found = {
            "now": current[0] if current else None,
            **{period: rate_at(symbol=symbol, ts=now - span) for period, span in HISTORY_PERIODS.items()},
            "history_day": rate_history(symbol=symbol, period="day", points=SUMMARY_DAY_POINTS, now=now),
        }
        cache.set(key, found, 60)
    return found


# --- Currencies as the user's platform lists them ------------------------------------------------


@dataclass(frozen=True)
class OperationStatus:
    info: OperationInfo
    available: bool


@dataclass(frozen=True)
class CurrencyView:
    asset: AssetInfo
    rates: dict | None
    general: list[OperationStatus]
    particular: dict[str, list[OperationStatus]]


GROUPS = {Asset.Kind.COIN: "coins", Asset.Kind.TOKEN: "tokens", Asset.Kind.FIAT: "fiats"}


def _fresh(symbol: str, current: dict, max_age: int, now: int) -> bool:
    found = current.get(symbol)
    return found is not None and now - found[1] <= max_age


def currency_list(*, user, symbol: str | None = None, now: int | None = None) -> dict[str, list[CurrencyView]]:
    """{"coins": [...], "tokens": [...], "fiats": [...]} of the user's platform; with a symbol, only the group
    holding that asset, with only it (as the reference's `currencies/ETH` example). An operation's status is
    false when staff disabled it or when it is priced from a rate that is stale."""
    return currency_groups(platform_id=user_market(user=user).platform_id, symbol=symbol, now=now)


def currency_groups(*, platform_id, symbol: str | None = None, now: int | None = None) -> dict[str, list[CurrencyView]]:
    """The Currency Index of one platform (its users' `currency_list`; the platform's own `currencies`)."""
    now = int(time.time()) if now is None else now
    config = market_config(platform_id=platform_id)
    if symbol is not None:
        asset = config.assets.get(str(symbol).upper())
        if asset is None:
            raise UnknownCurrency()
        assets = [asset]
    else:
        assets = list(config.assets.values())
    current = rates_current()
    groups: dict[str, list[CurrencyView]] = (
        {GROUPS[assets[0].kind]: []} if symbol is not None else {group: [] for group in GROUPS.values()}
    )
    for asset in sorted(assets, key=lambda a: (a.position, a.symbol)):
        if asset.is_fiat:
            groups[GROUPS[asset.kind]].append(CurrencyView(asset=asset, rates=None, general=[], particular={}))
            continue
        general, particular = [], {}
        for op in config.operations:
            if op.asset != asset.symbol:
                continue
            available = op.status
            if op.operation in RATE_DEPENDENT_OPERATIONS:
                available = available and _fresh(asset.symbol, current, config.max_age_seconds, now)
                if op.fiat:
                    available = available and _fresh(op.fiat, current, config.max_age_seconds, now)
            status = OperationStatus(info=op, available=available)
            if op.fiat is None:
                general.append(status)
            else:
                particular.setdefault(op.fiat, []).append(status)
        groups[GROUPS[asset.kind]].append(
            CurrencyView(
                asset=asset, rates=rate_summary(symbol=asset.symbol, now=now), general=general, particular=particular
            )
        )
    return groups


def currency_history(*, user, symbol: str, period: str, now: int | None = None):
    """[(price, ts)] of an asset the user's platform lists, over day|week|month|quarter|semester|year."""
    config = market_config(platform_id=user_market(user=user).platform_id)
    asset = config.assets.get(str(symbol).upper())
    if asset is None or period not in HISTORY_PERIODS:
        raise UnknownCurrency()
    return rate_history(symbol=asset.symbol, period=period, now=now)
