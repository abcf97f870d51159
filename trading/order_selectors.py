"""Reads of quotes, orders and balances, always scoped to their owner."""

from __future__ import annotations

import copy
import logging
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

log = logging.getLogger(__name__)

ORDER_RELATED = ("from_asset", "to_asset", "asset", "quote", "parent_order", "platform", "proof", "wallet", "transfer")
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


# --- The order list's page: fixed statements and a cached count -------------------------------------
# `GET user/{user}/order` is read far more often than orders change, and a user may have thousands of them.
# The ORM compiled three querysets and loaded ~80 model instances per page (about 10 ms of CPU for 25
# orders); the page is one statement built once per filter combination, read into the plain rows below,
# and the total of the paging headers (a COUNT over every matching order) is cached per user under a
# version that every save of one of the user's orders bumps (docs/decisions.md, "The order list's total").


@dataclass(frozen=True, slots=True)
class AssetRef:
    symbol: str
    decimals: int


@dataclass(frozen=True, slots=True)
class RowRef:
    """An order or quote as `{id, publicId}`."""

    pk: uuid.UUID
    public_id: str


@dataclass(frozen=True, slots=True)
class PlatformRef:
    code: str
    name: str
    base_url: str


@dataclass(slots=True)
class OrderListRow:
    """What the list's order body reads of an order, with the same attribute names as `Order`. Not frozen: a
    frozen dataclass sets each of its 28 fields through `object.__setattr__`, twice the cost of building one
    (~65 µs a page of 25)."""

    pk: uuid.UUID
    public_id: str
    status: str
    type: str
    operation: str
    from_asset_id: int | None
    from_amount: Decimal
    rate: Decimal
    to_amount: Decimal
    wallet_address: str
    tx_id: str
    payment_method: str
    bank_id: uuid.UUID | None
    card_id: uuid.UUID | None
    fee_percent: Decimal
    proof_id: int | None
    commission_percent: Decimal
    commission_amount: Decimal
    quote_id: uuid.UUID | None
    kyc_level_required: int
    created_at: int  # Unix seconds (what the body shows), read as such from PostgreSQL
    from_asset: AssetRef | None
    to_asset: AssetRef
    parent_order: RowRef | None
    child_order: RowRef | None
    quote: RowRef | None
    platform: PlatformRef | None
    transfer: RowRef | None = None  # where orders are linked to a transfer (the transfers' orders)


ORDER_LIST_COUNT_TTL = 24 * 3600
# The order's own columns the list body reads, in `OrderListRow`'s order (created_at comes last, as Unix seconds).
_ORDER_COLUMNS = (
    "id",
    "public_id",
    "status",
    "type",
    "operation",
    "from_asset",
    "from_amount",
    "rate",
    "to_amount",
    "wallet_address",
    "tx_id",
    "payment_method",
    "bank",
    "card",
    "fee_percent",
    "proof",
    "commission_percent",
    "commission_amount",
    "quote",
    "kyc_level_required",
)
# Forward relations the body shows as {id, publicId}, those the model has: fetched as the id column plus a
# scalar subquery of the related row's public id.
_REF_RELATIONS = ("parent_order", "quote", "transfer")


@dataclass(frozen=True)
class _PageStatements:
    count: str
    page: str
    converters: list  # (column index, expression, converter chain) where the backend needs any
    refs: tuple  # (relation name, index of its id column, index of its public id)


_order_page_sql: dict[tuple, _PageStatements] = {}


def _order_page_statements(connection, filters: tuple[str, ...]) -> _PageStatements:
    """The count and page statements for these filter columns (a subset of type, status, operation, asset), built
    once. The page joins nothing: a seven-table join cost PostgreSQL ~1.2 ms of planning per request, more than
    the rest of the request; assets and platforms come from the `catalogue`, the parent's, child's and quote's
    public ids from scalar subqueries (each planned on its own, ~0.2 ms in all)."""
    from ccpro.db import ModelColumns

    key = (connection.vendor, filters)
    found = _order_page_sql.get(key)
    if found is not None:
        return found
    # Identifiers come from the models' _meta (quoted by the backend); every value is a parameter.
    quote = connection.ops.quote_name
    f = ModelColumns(Order, "f", ("id", "created_at"))  # the matching rows
    a = ModelColumns(Asset, "a", ("id",))
    where = [f"{f.column(connection, 'user')} = %s"]
    for name in filters:
        if name == "asset":
            by_symbol = f"SELECT {a.column(connection, 'id')} FROM {a.table(connection)}"  # noqa: S608
            by_symbol += f" WHERE {a.column(connection, 'symbol')} = %s"
            from_side, to_side = f.column(connection, "from_asset"), f.column(connection, "to_asset")
            where.append(f"({from_side} IN ({by_symbol}) OR {to_side} IN ({by_symbol}))")
        else:
            where.append(f"{f.column(connection, name)} = %s")
    matching = f"FROM {f.table(connection)} WHERE {' AND '.join(where)}"
    count = f"SELECT COUNT(*) {matching}"

    relations = [name for name in _REF_RELATIONS if any(fk.name == name for fk in Order._meta.concrete_fields)]
    extra = [name for name in ("to_asset", "platform", *relations) if name not in _ORDER_COLUMNS]
    o = ModelColumns(Order, "o", (*_ORDER_COLUMNS, *extra))
    created = ModelColumns(Order, "o", ("created_at",))
    child = ModelColumns(Order, "ch", ("id", "public_id"))

    def scalar(group, column: str, where: str, order_by: str = "") -> str:
        return f"(SELECT {group.column(connection, column)} FROM {group.table(connection)} WHERE {where}{order_by})"  # noqa: S608

    columns = [(o, o.select_list(connection))]
    refs, index = [], len(o)
    for name in relations:
        related = ModelColumns(Order._meta.get_field(name).related_model, f"r{len(refs)}", ("public_id",))
        is_it = f"{related.column(connection, 'id')} = {o.column(connection, name)}"
        columns.append((related, scalar(related, "public_id", is_it)))
        refs.append((name, o.fields.index(Order._meta.get_field(name)), index))
        index += 1
    # The child order (a withdrawal made when its parent buy is approved): the first one, as `Order.child_order`.
    is_child = f"{child.column(connection, 'parent_order')} = {o.column(connection, 'id')}"
    first = f" ORDER BY {child.column(connection, 'created_at')}, {child.column(connection, 'id')} LIMIT 1"
    columns.append((child, f"{scalar(child, 'id', is_child, first)}, {scalar(child, 'public_id', is_child, first)}"))
    if connection.vendor == "postgresql":
        # Unix seconds: psycopg's timestamptz loader as Django registers it is Python code (~8 µs a value).
        epoch = f"CAST(FLOOR(EXTRACT(EPOCH FROM {created.column(connection, 'created_at')})) AS bigint)"
        columns.append((None, epoch))  # an integer: nothing to convert
    else:
        columns.append((created, created.select_list(connection)))
    converters, index = [], 0
    for group, _ in columns:
        for expression, chain in group.converters(connection) if group is not None else [(None, ())]:
            if chain:
                converters.append((index, expression, chain))
            index += 1
    # The page's ids first, from the bare rows by the (user, created_at, id) index; then those rows.
    pg_id, pg_created = f"{quote('pg')}.{quote(f.fields[0].column)}", f"{quote('pg')}.{quote(f.fields[1].column)}"
    page = (
        f"SELECT {f.select_list(connection)} {matching}"
        f" ORDER BY {f.column(connection, 'created_at')} DESC, {f.column(connection, 'id')} DESC LIMIT %s OFFSET %s"
    )
    sql = (
        f"SELECT {', '.join(select for _, select in columns)} FROM ({page}) {quote('pg')}"  # noqa: S608
        f" INNER JOIN {o.table(connection)} ON {o.column(connection, 'id')} = {pg_id}"
        f" ORDER BY {pg_created} DESC, {pg_id} DESC"
    )
    found = _order_page_sql[key] = _PageStatements(count, sql, converters, tuple(refs))
    return found


@dataclass(frozen=True)
class Catalogue:
    """Every asset and platform, as loaded once per market configuration version (which any save of an asset or
    a platform bumps, trading/apps.py) in each process: the order list's symbols and platform names, and the
    assets and platform a new quote points at, without a query. Hand out copies of the model instances
    (`asset`, `platform`), never the shared ones."""

    assets: dict  # id -> Asset (its chain attached)
    assets_by_symbol: dict  # symbol -> Asset
    platforms: dict  # id -> Platform
    asset_refs: dict  # id -> AssetRef
    platform_refs: dict  # id -> PlatformRef

    def asset(self, symbol: str):
        found = self.assets_by_symbol.get(symbol)
        return copy.copy(found) if found is not None else None

    def platform(self, platform_id):
        found = self.platforms.get(platform_id)
        return copy.copy(found) if found is not None else None


_LOCAL_CATALOGUES: dict[str, Catalogue] = {}


def catalogue(*, version: str | None) -> Catalogue:
    """The catalogue of this market configuration version (None: read now, not kept)."""
    found = _LOCAL_CATALOGUES.get(version) if version is not None else None
    if found is None:
        from platforms.models import Platform

        assets = {asset.pk: asset for asset in Asset.objects.all()}
        for asset in assets.values():
            asset.chain = assets.get(asset.chain_id)  # None for fiats (and for a chain not loaded)
        platforms = {platform.pk: platform for platform in Platform.objects.all()}
        found = Catalogue(
            assets=assets,
            assets_by_symbol={asset.symbol: asset for asset in assets.values()},
            platforms=platforms,
            asset_refs={pk: AssetRef(a.symbol, a.decimals) for pk, a in assets.items()},
            platform_refs={pk: PlatformRef(p.code, p.name, p.base_url) for pk, p in platforms.items()},
        )
        if version is not None:
            if len(_LOCAL_CATALOGUES) > 8:
                _LOCAL_CATALOGUES.clear()
            _LOCAL_CATALOGUES[version] = found
    return found


def _orders_version_key(user_id) -> str:
    return f"trading:orders:version:{user_id}"


def orders_changed(*, user_id=None, user_ids=(), at_once: bool = True) -> None:
    """One of the user's orders was written (`user_id`; or several users', `user_ids`): their cached list totals
    are stale. Bumped at once (a later read in this transaction) and again after the commit (a reader counting
    between the two cached the count it saw under the first bump; the second makes that entry unreachable).
    `at_once=False` when nothing later in the transaction reads these users' order lists (a transfer's
    confirmation): the bump after the commit is the one every other reader needs. Several users' versions go in
    one pipelined round trip (a transfer's two parties)."""
    from django.core.cache import cache
    from django.db import transaction

    keys = [_orders_version_key(user_id)] if user_id is not None else [_orders_version_key(uid) for uid in user_ids]

    def bump():
        if len(keys) == 1:
            cache.set(keys[0], uuid.uuid4().hex, ORDER_LIST_COUNT_TTL)
        else:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, ORDER_LIST_COUNT_TTL)

    def bump_after_commit():
        try:
            bump()
        except Exception:
            # The writes are committed: a cache failure here must not turn the request into a 500 (logged, and
            # robust=True for anything the log itself raises); these users' cached list totals may then stay
            # stale up to ORDER_LIST_COUNT_TTL.
            log.exception(
                "orders version of users %s not bumped after commit: their order-list totals may be stale",
                [key.rsplit(":", 1)[1] for key in keys],
            )

    if at_once:
        bump()
    transaction.on_commit(bump_after_commit, robust=True)


def order_page(
    *,
    user,
    page,
    per_page: int,
    kind: str | None = None,
    status: str | None = None,
    operation: str | None = None,
    asset: str | None = None,
) -> tuple[list[OrderListRow], dict]:
    """A page of the user's orders, newest first, and the paging meta: what `order_list` + `page_of` give, as
    plain rows (`OrderListRow`). `kind` coin|token; `asset` matches either side of the order.

    The total (a COUNT over every matching order: ~0.8 ms of PostgreSQL for 10,000) is cached under the user's
    orders version (`orders_changed`) when it depends on their order rows alone; with the asset filter it also
    reads asset symbols and is counted every time. One cache round trip reads that version, the count and the
    market configuration version (for the asset and platform references)."""
    from django.core.cache import cache
    from django.db import connections, router

    from ccpro.api.pagination import page_meta, page_number
    from ccpro.db import prepared_cursor

    from .selectors import CONFIG_VERSION_KEY, market_config_version

    number = page_number(page)
    filters = {"type": kind, "status": status, "operation": operation, "asset": str(asset).upper() if asset else None}
    used = tuple(name for name, value in filters.items() if value)
    connection = connections[router.db_for_read(Order)]
    statements = _order_page_statements(connection, used)
    params = [Order._meta.get_field("user").get_db_prep_value(user.pk, connection)]
    for name in used:
        params.extend([filters[name]] * (2 if name == "asset" else 1))

    version_key = _orders_version_key(user.pk)
    count_key = f"trading:orders:count:{user.pk}:{kind or ''}:{status or ''}:{operation or ''}"
    found = cache.get_many([version_key, count_key, CONFIG_VERSION_KEY])
    version, cached = found.get(version_key), found.get(count_key)
    config_version = found.get(CONFIG_VERSION_KEY) or market_config_version()
    # A fixed statement per filter combination: prepared on the server after a few runs (ccpro.db).
    with prepared_cursor(connection) as cursor:
        if filters["asset"] is None and version is not None and cached is not None and cached[0] == version:
            total = cached[1]
        else:
            if filters["asset"] is None and version is None:
                version = uuid.uuid4().hex
                if not cache.add(version_key, version, ORDER_LIST_COUNT_TTL):
                    version = cache.get(version_key)
            cursor.execute(statements.count, params)
            total = cursor.fetchone()[0]
            if filters["asset"] is None and version is not None:
                cache.set(count_key, (version, total), ORDER_LIST_COUNT_TTL)
        offset = (number - 1) * per_page
        rows = []
        if offset < total:
            cursor.execute(statements.page, [*params, per_page, offset])
            rows = cursor.fetchall()
    if statements.converters:
        rows = [_converted(connection, row, statements.converters) for row in rows]
    known = catalogue(version=config_version)
    assets, platforms = known.asset_refs, known.platform_refs
    if any(_unknown_reference(row, assets, platforms) for row in rows):
        known = catalogue(version=None)  # created after this version was read: read them again
        assets, platforms = known.asset_refs, known.platform_refs
    return [_order_list_row(row, assets, platforms, statements.refs) for row in rows], page_meta(
        total=total, page=number, per_page=per_page
    )


def _unknown_reference(row, assets, platforms) -> bool:
    # Columns 20 and 21 of a row: to_asset, platform (see _order_list_row).
    return (
        (row[5] is not None and row[5] not in assets)
        or row[20] not in assets
        or (row[21] is not None and row[21] not in platforms)
    )


def _converted(connection, row, converters) -> list:
    values = list(row)
    for index, expression, chain in converters:
        for converter in chain:
            values[index] = converter(values[index], expression, connection)
    return values


def _order_list_row(row, assets, platforms, refs) -> OrderListRow:
    # Columns: the order's 20 (_ORDER_COLUMNS), to_asset, platform, the ids of the other relations of `refs`;
    # the public ids of `refs`; the first child's id and public id; created_at.
    created_at = row[-1]
    links = {name: RowRef(row[at], row[public]) if row[at] is not None else None for name, at, public in refs}
    return OrderListRow(
        *row[:20],
        created_at=created_at if isinstance(created_at, int) else int(created_at.timestamp()),
        from_asset=assets[row[5]] if row[5] is not None else None,
        to_asset=assets[row[20]],
        child_order=RowRef(row[-3], row[-2]) if row[-3] is not None else None,
        platform=platforms[row[21]] if row[21] is not None else None,
        **links,
    )


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


def user_reference_fiat(*, user, current: dict | None = None, known: Catalogue | None = None) -> str:
    """The fiat the user's balances are valued in: the reference fiat of the user's platform (the first active
    platform they came through, else the house platform CCPRO: `user_market`, as the KYC period amounts find
    it), when CCPro knows that fiat and has a rate for it; else EUR, the rates' own reference
    (docs/decisions.md, "Balances")."""
    from .selectors import market_config_version, user_market

    current = rates_current() if current is None else current
    known = catalogue(version=market_config_version()) if known is None else known
    platform = known.platforms.get(uuid.UUID(str(user_market(user=user).platform_id)))
    fiat = str(platform.reference_fiat or "").upper() if platform is not None else ""
    asset = known.assets_by_symbol.get(fiat)
    if fiat == REFERENCE_FIAT or (asset is not None and asset.is_fiat and current.get(fiat, (0, 0))[0] > 0):
        return fiat
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
    from .selectors import market_config_version

    current = rates_current()
    known = catalogue(version=market_config_version())
    fiat = user_reference_fiat(user=user, current=current, known=known)
    fiat_price = current.get(fiat, (Decimal(1), 0))[0]
    fiat_asset = known.assets_by_symbol.get(fiat)
    fiat_decimals = fiat_asset.decimals if fiat_asset is not None else 2
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
        .filter(operation__in=OPERATIONS)  # a transfer's orders are neither buys nor sells
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
