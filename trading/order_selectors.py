"""Reads of quotes, orders and balances, always scoped to their owner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, F, Min, Prefetch, Q, Sum, Value, When

from ccpro import errors

from .ledger_models import LedgerAccount
from .models import Asset, Operation
from .order_models import Order, Quote
from .rate_providers import REFERENCE_FIAT
from .selectors import rate_summary, rates_current

ORDER_RELATED = ("from_asset", "to_asset", "asset", "quote", "parent_order", "platform", "proof", "wallet")
QUOTE_RELATED = ("from_asset", "to_asset", "asset", "platform", "user", "wallet", "order")


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as exc:
        raise errors.NotFound() from exc


def _children():
    return Prefetch(
        "child_orders", queryset=Order.objects.only("id", "public_id", "parent_order_id").order_by("created_at")
    )


def with_order_relations(qs):
    """What an order body reads, fetched with it (one query, plus one for the child orders)."""
    return qs.select_related(*ORDER_RELATED).prefetch_related(_children())


def with_quote_relations(qs):
    return qs.select_related(*QUOTE_RELATED)


def page_of(qs, *, page, per_page: int, relations):
    """A page of a newest-first list in two steps: the page's ids from the bare rows (the (user, created_at, id)
    index gives them in order without joining anything), then those rows with what their bodies need. A
    planner joining every relation of 10,000 orders before sorting them cannot happen."""
    from ccpro.api.pagination import paginate

    ids, meta = paginate(qs.values_list("pk", flat=True), page=page, per_page=per_page)
    rows = {row.pk: row for row in relations(qs.model.objects.filter(pk__in=ids))}
    return [rows[pk] for pk in ids], meta


def order_list(
    *, user, kind: str | None = None, status: str | None = None, operation: str | None = None, asset: str | None = None
):
    """The user's orders, newest first (bare rows: see `page_of`); `kind` coin|token; `asset` matches either
    side of the order."""
    qs = Order.objects.filter(user=user)
    if kind:
        qs = qs.filter(type=kind)
    if status:
        qs = qs.filter(status=status)
    if operation:
        qs = qs.filter(operation=operation)
    if asset:
        symbol = str(asset).upper()
        qs = qs.filter(Q(from_asset__symbol=symbol) | Q(to_asset__symbol=symbol))
    return qs.order_by("-created_at", "-id")


def _platform_scoped(qs, *, platform, status: str | None, created_from: int | None, created_to: int | None):
    """Rows of the users linked to `platform` (as Platform Transfers: whoever came through it, whichever platform
    the row itself was made under), newest first, optionally by status and creation time (Unix seconds)."""
    from datetime import UTC, datetime

    from platforms.models import PlatformUserLink

    qs = qs.filter(user_id__in=PlatformUserLink.objects.filter(platform=platform).values("user_id"))
    if status:
        qs = qs.filter(status=status)
    if created_from is not None:
        qs = qs.filter(created_at__gte=datetime.fromtimestamp(created_from, tz=UTC))
    if created_to is not None:
        qs = qs.filter(created_at__lte=datetime.fromtimestamp(created_to, tz=UTC))
    return qs.order_by("-created_at", "-id")


def platform_order_list(*, platform, status=None, created_from=None, created_to=None):
    """Orders of the platform's users (bare rows: see `page_of`)."""
    return _platform_scoped(
        Order.objects.all(), platform=platform, status=status, created_from=created_from, created_to=created_to
    )


def platform_quote_list(*, platform, status=None, created_from=None, created_to=None):
    """Quotes of the platform's users (bare rows: see `page_of`)."""
    return _platform_scoped(
        Quote.objects.all(), platform=platform, status=status, created_from=created_from, created_to=created_to
    )


def order_get(*, user, order_id) -> Order:
    order = (
        Order.objects.filter(user=user, pk=_uuid(order_id))
        .select_related(*ORDER_RELATED, "quote__from_asset", "quote__to_asset", "quote__asset", "quote__platform")
        .select_related("quote__wallet", "quote__user")
        .prefetch_related(_children())
        .first()
    )
    if order is None:
        raise errors.NotFound()
    return order


def quote_list(*, user, status: str | None = None, operation: str | None = None, asset: str | None = None):
    qs = Quote.objects.filter(user=user)
    if status:
        qs = qs.filter(status=status)
    if operation:
        qs = qs.filter(operation=operation)
    if asset:
        symbol = str(asset).upper()
        qs = qs.filter(Q(from_asset__symbol=symbol) | Q(to_asset__symbol=symbol))
    return qs.order_by("-created_at", "-id")


def quote_get(*, user, quote_id) -> Quote:
    quote = (
        Quote.objects.filter(user=user, pk=_uuid(quote_id))
        .select_related(*QUOTE_RELATED, "order__from_asset", "order__to_asset", "order__asset", "order__platform")
        .select_related("order__parent_order", "order__proof", "order__wallet")
        .first()
    )
    if quote is None:
        raise errors.NotFound()
    return quote


def order_payment_waiting_exists(*, user) -> bool:
    return Order.objects.filter(user=user, status=Order.Status.PAYMENT_WAITING).exists()


def quote_available_exists(*, user) -> bool:
    from django.utils import timezone

    return Quote.objects.filter(user=user, status=Quote.Status.AVAILABLE, expires_at__gt=timezone.now()).exists()


def user_order_flags(*, user) -> dict[str, bool]:
    """Whether the user has an available (unexpired) quote and an order waiting for payment, in one query (the
    permanent notifications `quote_available` and `order_payment_waiting`)."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from accounts.models import User

    flags = {
        "quote_available": Exists(
            Quote.objects.filter(user=OuterRef("pk"), status=Quote.Status.AVAILABLE, expires_at__gt=timezone.now())
        ),
        "order_payment_waiting": Exists(Order.objects.filter(user=OuterRef("pk"), status=Order.Status.PAYMENT_WAITING)),
    }
    row = User.objects.filter(pk=user.pk).annotate(**flags).values(*flags).first() or {}
    return {key: bool(row.get(key)) for key in flags}


def instrument_used_by_orders(instrument) -> bool:
    """Registered with accounts: a bank or card some quote or order used can no longer be edited away."""
    field = "bank" if instrument._meta.model_name == "bank" else "card"
    return Order.objects.filter(**{field: instrument}).exists() or Quote.objects.filter(**{field: instrument}).exists()


# --- Balances -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    asset: Asset
    available: Decimal
    pending: Decimal
    fiat_available: Decimal
    fiat_pending: Decimal
    rates: dict
    favorite: bool


def user_reference_fiat(*, user) -> str:
    """The fiat balances are valued in: the reference fiat of the rates (EUR) until platforms define their own."""
    return REFERENCE_FIAT


def balance_list(*, user, symbol: str | None = None) -> dict[str, list[Balance]]:
    """{"coins": [...], "tokens": [...]}: every active coin and token with the user's available and pending
    amounts and their value in the user's reference fiat at the current rate. With a symbol, only that asset
    (in its group). `favorite` marks the assets the user holds or has held."""
    assets = Asset.objects.filter(active=True).exclude(kind=Asset.Kind.FIAT).order_by("position", "symbol")
    if symbol is not None:
        assets = assets.filter(symbol=str(symbol).upper())
        if not assets:
            raise errors.NotFound()
    held: dict[int, dict[str, Decimal]] = {}
    for asset_id, kind, balance in LedgerAccount.objects.filter(
        user=user, kind__in=LedgerAccount.CUSTOMER_KINDS
    ).values_list("asset_id", "kind", "balance"):
        held.setdefault(asset_id, {})[kind] = balance
    current = rates_current()
    fiat = user_reference_fiat(user=user)
    fiat_price = current.get(fiat, (Decimal(1), 0))[0]
    fiat_decimals = Asset.objects.filter(symbol=fiat).values_list("decimals", flat=True).first() or 2
    groups: dict[str, list[Balance]] = {}
    for asset in assets:
        amounts = held.get(asset.pk, {})
        unit = Decimal(1).scaleb(-asset.decimals)
        available = amounts.get(LedgerAccount.Kind.AVAILABLE, Decimal(0)).quantize(unit)
        pending = amounts.get(LedgerAccount.Kind.PENDING, Decimal(0)).quantize(unit)
        price = current.get(asset.symbol, (Decimal(0), 0))[0] / fiat_price
        fiat_unit = Decimal(1).scaleb(-fiat_decimals)
        groups.setdefault("coins" if asset.kind == Asset.Kind.COIN else "tokens", []).append(
            Balance(
                asset=asset,
                available=available,
                pending=pending,
                fiat_available=(available * price).quantize(fiat_unit),
                fiat_pending=(pending * price).quantize(fiat_unit),
                rates=rate_summary(symbol=asset.symbol),
                favorite=asset.pk in held,
            )
        )
    if symbol is None:
        groups.setdefault("coins", [])
        groups.setdefault("tokens", [])
    return groups


OPERATIONS = [choice for choice, _ in Operation.choices]


BUY_SIDE = (Operation.DEPOSIT, Operation.BUY_WITH_FIAT, Operation.BUY_WITH_CRYPTO)


def order_period_sums(*, user, since) -> tuple[list[tuple[str, str, Decimal]], datetime | None]:
    """The user's approved orders since `since`, summed per side (buy: deposits, buys; sell: sales, withdrawals)
    and valued asset (a fiat order's fiat, else its crypto), and the creation time of the oldest order counted:
    until `since` passes it the sums only change when another of the user's orders is approved
    (kyc.selectors.period_amounts caches them on that ground)."""
    # Summed per (side, asset) in SQL, so the cost does not grow with the user's number of orders.
    valued_symbol = Case(
        When(operation=Operation.BUY_WITH_FIAT, then=F("from_asset__symbol")),
        When(operation=Operation.SELL_TO_FIAT, then=F("to_asset__symbol")),
        default=F("asset__symbol"),
    )
    valued_amount = Case(
        When(operation=Operation.BUY_WITH_FIAT, then=F("from_amount")),
        When(operation=Operation.SELL_TO_FIAT, then=F("to_amount")),
        When(operation__in=BUY_SIDE, then=F("to_amount")),
        default=F("from_amount"),
    )
    side = Case(When(operation__in=BUY_SIDE, then=Value("buy")), default=Value("sell"))
    rows = (
        Order.objects.filter(user=user, status=Order.Status.APPROVED, created_at__gte=since, parent_order__isnull=True)
        .annotate(valued_symbol=valued_symbol, side=side)
        .values_list("side", "valued_symbol")
        .annotate(total=Sum(valued_amount), oldest=Min("created_at"))
        .order_by()
    )
    sums, oldest = [], None
    for side_name, symbol, total, first in rows:
        sums.append((side_name, symbol, total))
        oldest = first if oldest is None else min(oldest, first)
    return sums, oldest


def order_period_value(sums, *, fiat: str, current: dict[str, tuple[Decimal, int]]) -> dict[str, Decimal]:
    """`order_period_sums`' sums valued in `fiat` at the current rates: fiat orders at their own fiat amount, the
    others at the current rate of their crypto amount."""
    fiat_price = current.get(fiat, (Decimal(1), 0))[0]
    totals = {"buy": Decimal(0), "sell": Decimal(0)}
    for side_name, symbol, total in sums:
        price = current.get(symbol, (Decimal(0), 0))[0]
        totals[side_name] += total * price / fiat_price
    return totals


def order_period_amounts(*, user, since, fiat: str) -> dict[str, Decimal]:
    """What the user bought (deposits, buys) and sold (sales, withdrawals) in approved orders since `since`, valued
    in `fiat` (order_period_value), straight from the database."""
    sums, _oldest = order_period_sums(user=user, since=since)
    return order_period_value(sums, fiat=fiat, current=rates_current())
