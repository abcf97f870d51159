"""Transfers between users: create (reserving the payer's funds), confirm, refuse, expire.

Every movement goes through trading.ledger.ledger_post in the same database transaction as the status change:

    create   payer available −amount, payer pending +amount                     (reservation)
    confirm  payer pending −amount, payee available +total, revenue +commission (one ledger transaction)
    expire / refuse   payer pending −amount, payer available +amount            (release)

Locks: a status change locks the transfer row first (select_for_update), then ledger_post locks the accounts in
primary-key order; the expiry sweep skips locked transfers and locks all the accounts of its batch in one
ordered statement, so no two of these can wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_UP, Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.utils import timezone

from ccpro import errors
from ccpro.db import ModelColumns, execute_together, insert_instances, insert_statement, inserted, prepared_cursor
from notifications.services import notification_batch_statements
from platforms.models import DEFAULT_PLATFORM_CODE
from platforms.selectors import ien_listening_user_ids, platform_links_for_user

from .ledger import (
    InsufficientFunds,
    accounts_for,
    accounts_from,
    accounts_statement,
    customer_account,
    ledger_post,
    revenue_shard,
)
from .ledger_models import LedgerAccount
from .models import Asset
from .order_models import TRANSFER_IN, TRANSFER_OUT, Order, OrderStatusChange, public_id_new
from .order_selectors import orders_changed
from .transfer_models import Transfer, TransferConfig, TransferStatusChange

TRANSFER_LIFE_SECONDS = 180
EXPIRY_BATCH = 500
MAX_AMOUNT = Decimal(10) ** 19

Kind = LedgerAccount.Kind
Status = Transfer.Status


# --- Refusals ------------------------------------------------------------------------------------


def field_error(field: str, message: str) -> errors.InvalidInput:
    return errors.InvalidInput(errors={field: [message]})


class TransferNotAllowed(errors.ActionForbidden):
    """The caller is a party to the transfer but not the one who may do this."""

    default_message = "This action is unauthorized."


class CounterpartyCannotPay(errors.ActionForbidden):
    """A `receive` asks for more than the other user can pay right now."""

    default_message = "The other user cannot pay this amount."


class TransferNotPending(errors.StateConflict):
    default_message = "The transfer is already completed."


class TransferExpired(errors.AlreadyGone):
    default_message = "The transfer has expired."


class TransferRefused(errors.AlreadyGone):
    default_message = "The transfer has been refused."


class TransferTransitionRefused(errors.StateConflict):
    default_message = "This status change is not allowed."


class TradingDisabled(errors.ActionForbidden):
    """The caller's `trade_status` is off (staff suspended their trading)."""

    default_message = "Your account is not allowed to trade."


class CounterpartyTradingDisabled(errors.ActionForbidden):
    default_message = "The other user is not allowed to trade."


class KycLevelTooLow(errors.ActionForbidden):
    """The caller's KYC level does not allow this transfer's value in the period; names the level that does."""

    def __init__(self, required: int):
        self.required_level = required
        super().__init__(f"KYC level {required} is required for this transfer.")


class CounterpartyKycLevelTooLow(errors.ActionForbidden):
    default_message = "The other user's KYC level does not allow this transfer."


# --- Terms ---------------------------------------------------------------------------------------


def transfer_platform(*, user):
    """The platform a user's transfers belong to: the first partner platform they came through, else the house."""
    links = [link for link in platform_links_for_user(user=user) if link.platform.code != DEFAULT_PLATFORM_CODE]
    return links[0].platform if links else None


def transfer_config(*, platform, asset: Asset) -> TransferConfig | None:
    """The platform's terms for the asset, else the house platform's; None: the asset is not transferable."""
    configs = {
        config.platform.code: config
        for config in TransferConfig.objects.select_related("platform").filter(asset=asset, active=True)
        if config.platform.active
    }
    if platform is not None and platform.code in configs:
        return configs[platform.code]
    return configs.get(DEFAULT_PLATFORM_CODE)


def commission_for(*, amount: Decimal, percent: Decimal, asset: Asset) -> Decimal:
    """The commission on an amount, at the asset's precision, rounded up (in the house's favour)."""
    return (amount * percent / Decimal(100)).quantize(Decimal(1).scaleb(-asset.decimals), rounding=ROUND_UP)


def parse_amount(raw, *, asset: Asset) -> Decimal:
    """`numeric|min:0|not_in:0`, at most the asset's decimals."""
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise field_error("amount", "The amount must be a number.") from exc
    if not amount.is_finite():
        raise field_error("amount", "The amount must be a number.")
    if amount < 0:
        raise field_error("amount", "The amount must be at least 0.")
    if amount == 0:
        raise field_error("amount", "The selected amount is invalid.")
    if amount >= MAX_AMOUNT:
        raise field_error("amount", f"The amount may not be greater than {MAX_AMOUNT}.")
    if amount != amount.quantize(Decimal(1).scaleb(-asset.decimals)):
        raise field_error("amount", f"The amount may not have more than {asset.decimals} decimal places.")
    return amount.quantize(Decimal(1).scaleb(-asset.decimals))


def counterparty_get(*, reference: str):
    """The active user named by id or email, or None."""
    User = get_user_model()
    reference = str(reference or "").strip()
    try:
        lookup = {"pk": uuid.UUID(reference)}
    except ValueError:
        lookup = {"email__iexact": reference}
    return User.objects.filter(is_active=True, closed_at__isnull=True, **lookup).first()


def trade_allowed_check(*, user, payer, payee) -> None:
    """Both parties must be allowed to trade (`User.trade_status`); the caller's refusal is named first."""
    other = payee if user.pk == payer.pk else payer
    if not user.trade_status:
        raise TradingDisabled()
    if not other.trade_status:
        raise CounterpartyTradingDisabled()


def kyc_limits_check(*, user, payer, payee, asset: Asset, amount: Decimal) -> None:
    """The transfer's EUR value (current rate) must fit both parties' KYC limits for the period: the payer's as a
    `withdraw` (value leaving), the payee's as a `deposit` (value arriving), through kyc.services."""
    from .orders import kyc_level_required, value_in_eur

    amount_eur = value_in_eur(asset.symbol, amount)
    checks = [(payer, "withdraw"), (payee, "deposit")]
    checks.sort(key=lambda check: check[0].pk != user.pk)  # the caller's own refusal first
    for party, operation in checks:
        required = kyc_level_required(user=party, operation=operation, amount_eur=amount_eur)
        if required:
            raise KycLevelTooLow(required) if party.pk == user.pk else CounterpartyKycLevelTooLow()


# --- Status --------------------------------------------------------------------------------------


def transfer_transition(*, transfer: Transfer, to: str, actor=None, reason: str = "", now=None) -> Transfer:
    """Move a locked transfer to `to`, refusing moves the table does not allow, and record the move."""
    insert_instances([_transition_change(transfer=transfer, to=to, actor=actor, reason=reason, now=now)])
    return transfer


def _transition_change(*, transfer: Transfer, to: str, actor=None, reason: str = "", now=None) -> TransferStatusChange:
    """transfer_transition's move, the record of it left for the caller to insert (with its other writes)."""
    if to not in Transfer.TRANSITIONS[transfer.status]:
        raise TransferTransitionRefused()
    now = now or timezone.now()
    change = TransferStatusChange(
        transfer=transfer, from_status=transfer.status, to_status=to, actor=actor, reason=reason, created_at=now
    )
    transfer.status = to
    transfer.closed_at = now
    return change


def _account(*, user, asset: Asset, kind: str = Kind.AVAILABLE) -> LedgerAccount:
    return customer_account(user=user, asset=asset, kind=kind)


def _release_legs(transfer: Transfer):
    amount = transfer.amount
    pending, available = accounts_for(
        asset=transfer.asset,
        wanted=[(transfer.from_user_id, Kind.PENDING, 0), (transfer.from_user_id, Kind.AVAILABLE, 0)],
    )
    return [(pending, -amount), (available, amount)]


def _completion_wanted(transfer: Transfer) -> list[tuple]:
    """The completion's accounts (accounts_for): payer pending, payee available, a revenue shard by the id."""
    wanted = [(transfer.from_user_id, Kind.PENDING, 0), (transfer.to_user_id, Kind.AVAILABLE, 0)]
    if transfer.commission:
        wanted.append((None, Kind.REVENUE, revenue_shard(str(transfer.pk))))
    return wanted


def _completion_legs(transfer: Transfer, accounts: list[LedgerAccount]):
    """Payer pending −amount, payee available +total, the revenue shard +commission."""
    legs = [(accounts[0], -transfer.amount), (accounts[1], transfer.total)]
    if transfer.commission:
        legs.append((accounts[2], transfer.commission))
    return legs


def _release(transfer: Transfer, *, why: str) -> None:
    ledger_post(
        idempotency_key=f"transfer:{transfer.pk}:release",
        kind="transfer_release",
        legs=_release_legs(transfer),
        reference=f"transfer:{transfer.pk}",
        memo=f"transfer {transfer.public_id} {why}",
    )


# --- Notifications (the one hook: users' inbox and mail, and the parties' partner platforms' IEN) ---------


def _event_items(transfer: Transfer, event: str) -> list[tuple]:
    """The inbox notifications (and their mail/SMS) of a transfer event: [(user, event, context, meta)]."""
    meta = {"id": transfer.pk, "publicId": transfer.public_id}
    payer, payee = transfer.from_user, transfer.to_user
    if event == "created":
        items = []
        if transfer.action == Transfer.Action.RECEIVE:
            amount = format(transfer.amount.normalize(), "f")
            context = {"amount": amount, "asset": transfer.asset.symbol, "requester": payee.email, "minutes": 3}
            items.append((payer, "transfer_requested", context, meta))
        return items
    if event == "completed":
        total = format(transfer.total.normalize(), "f")
        received = {"amount": total, "asset": transfer.asset.symbol, "sender": payer.email}
        return [(payer, "transfer_completed", {}, meta), (payee, "transfer_received", received, meta)]
    if event in ("expired", "refused"):
        return [(party, f"transfer_{event}", {}, meta) for party in (payer, payee)]
    raise ValueError(f"unknown transfer event {event}")


def transfer_events_emit(*, transfer: Transfer, event: str, notified: bool = False) -> None:
    """Tell both parties what happened to a transfer. Runs inside the caller's transaction, so nobody is told
    about a change that rolled back. `notified`: the caller wrote the inbox rows already (the confirmation
    writes them with its own statements, `_event_items`)."""
    from notifications.services import notification_create_batch

    if not notified:
        items = _event_items(transfer, event)
        if items:
            notification_create_batch(items=items)
    # The partner platforms of both parties (IEN), in this transaction: sent after commit, in order per transfer.
    # One query tells whether anybody listens; the payload is built only then.
    payer, payee = transfer.from_user, transfer.to_user
    listening = ien_listening_user_ids(user_ids=[payer.pk, payee.pk])
    if not listening:
        return
    from platforms.services import ien_emit_for_user

    from .transfer_apis import transfer_body

    payload = transfer_body(transfer, platform_shape=True)
    for party in (payer, payee):
        if party.pk in listening:
            ien_emit_for_user(
                user=party, event_type=f"transfer.{event}", stream=f"transfer:{transfer.pk}", obj_payload=payload
            )


# --- Services ------------------------------------------------------------------------------------


@transaction.atomic
def transfer_create(*, user, action: str, amount, asset_type: str, symbol: str, counterparty: str) -> Transfer:
    """Create a pending transfer and reserve the payer's amount (available → pending)."""
    asset = Asset.objects.filter(symbol=str(symbol or "").upper(), active=True).first()
    if asset is None or asset.kind != asset_type:
        raise field_error("symbol", "The selected symbol is invalid.")
    other = counterparty_get(reference=counterparty)
    if other is None:
        raise field_error("user", "The selected user is invalid.")
    if other.pk == user.pk:
        raise field_error("user", "You cannot transfer to yourself.")
    amount = parse_amount(amount, asset=asset)
    platform = transfer_platform(user=user)
    config = transfer_config(platform=platform, asset=asset)
    if config is None:
        raise field_error("symbol", "The selected symbol cannot be transferred.")
    if amount < config.min_amount:
        raise field_error("amount", f"The amount must be at least {format(config.min_amount.normalize(), 'f')}.")
    commission = commission_for(amount=amount, percent=config.commission_percent, asset=asset)
    if commission >= amount:
        raise field_error("amount", "The amount does not cover the commission.")
    payer, payee = (user, other) if action == Transfer.Action.SEND else (other, user)
    trade_allowed_check(user=user, payer=payer, payee=payee)
    kyc_limits_check(user=user, payer=payer, payee=payee, asset=asset, amount=amount)
    now = timezone.now()
    transfer = Transfer(
        action=action,
        asset=asset,
        amount=amount,
        commission=commission,
        commission_percent=config.commission_percent,
        total=amount - commission,
        by_user=user,
        from_user=payer,
        to_user=payee,
        platform=platform,
        life_seconds=TRANSFER_LIFE_SECONDS,
        life_until_at=now + timedelta(seconds=TRANSFER_LIFE_SECONDS),
        created_at=now,
    )
    # The row and the notification first, the ledger last: the payer's account locks are held only from the
    # reservation to the commit (all of it rolls back if the reservation is refused).
    transfer.save(force_insert=True)
    transfer_events_emit(transfer=transfer, event="created")
    try:
        ledger_post(
            idempotency_key=f"transfer:{transfer.pk}:reserve",
            kind="transfer_reserve",
            legs=[(account, -leg) for account, leg in _release_legs(transfer)],
            reference=f"transfer:{transfer.pk}",
            memo=f"transfer {transfer.public_id} reserved",
        )
    except InsufficientFunds:
        raise (InsufficientFunds() if payer.pk == user.pk else CounterpartyCannotPay()) from None
    return transfer


@dataclass
class _Outcome:
    transfer: Transfer
    refusal: errors.DomainError | None = None


_TRANSFER_COLUMNS = ModelColumns(Transfer, "t")
_ASSET_COLUMNS = ModelColumns(Asset, "a")
_PARTY_COLUMNS = ModelColumns(get_user_model(), "u")
_locked_sql: dict[str, str] = {}


def _locked(*, user, transfer_id) -> Transfer:
    """The transfer, its row locked (FOR UPDATE of that row only), with its asset and the other party, in one
    fixed statement (ccpro/db.py: the ORM's select_related with five joins cost ~4 ms of CPU per call to build
    and load). The caller is the request's user, already loaded. NotFound unless the caller is a party."""
    connection = connections[router.db_for_write(Transfer)]
    sql = _locked_sql.get(connection.vendor)
    if sql is None:
        t, a, u = _TRANSFER_COLUMNS, _ASSET_COLUMNS, _PARTY_COLUMNS
        lock = ""
        if connection.features.has_select_for_update_of:
            lock = f" FOR UPDATE OF {connection.ops.quote_name(t.alias)}"
        elif connection.features.has_select_for_update:
            lock = " FOR UPDATE"
        sql = (
            f"SELECT {t.select_list(connection)}, {a.select_list(connection)}, {u.select_list(connection)}"  # noqa: S608
            f" FROM {t.table(connection)}"
            f" INNER JOIN {a.table(connection)} ON {a.column(connection, 'id')} = {t.column(connection, 'asset')}"
            f" INNER JOIN {u.table(connection)} ON {u.column(connection, 'id')} = CASE"
            f" WHEN {t.column(connection, 'from_user')} = %s THEN {t.column(connection, 'to_user')}"
            f" ELSE {t.column(connection, 'from_user')} END"
            f" WHERE {t.column(connection, 'id')} = %s{lock}"
        )
        _locked_sql[connection.vendor] = sql
    id_field = Transfer._meta.get_field("id")
    user_id = Transfer._meta.get_field("from_user").get_db_prep_value(user.pk, connection)
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [user_id, id_field.get_db_prep_value(transfer_id, connection)])
        row = cursor.fetchone()
    if row is None:
        raise errors.NotFound()
    split, end = len(_TRANSFER_COLUMNS), len(_TRANSFER_COLUMNS) + len(_ASSET_COLUMNS)
    transfer = _TRANSFER_COLUMNS.instance(connection, row[:split])
    if user.pk not in (transfer.from_user_id, transfer.to_user_id):
        raise errors.NotFound()
    other = _PARTY_COLUMNS.instance(connection, row[end:])
    parties = {user.pk: user, other.pk: other}
    transfer.asset = _ASSET_COLUMNS.instance(connection, row[split:end])
    transfer.from_user = parties[transfer.from_user_id]
    transfer.to_user = parties[transfer.to_user_id]
    transfer.by_user = parties[transfer.by_user_id]
    return transfer


def _refusal_for_closed(transfer: Transfer) -> errors.DomainError:
    if transfer.status == Status.EXPIRED:
        return TransferExpired()
    if transfer.status == Status.REFUSED:
        return TransferRefused()
    return TransferNotPending()


def _expire_now(transfer: Transfer, now) -> None:
    transfer_transition(transfer=transfer, to=Status.EXPIRED, reason="life ended", now=now)
    transfer.save(update_fields=["status", "closed_at"])
    transfer_events_emit(transfer=transfer, event="expired")
    _release(transfer, why="expired")


def transfer_confirm(*, user, transfer_id, wallet: str | None = None) -> Transfer:
    """The payer approves: the amount leaves their pending balance, the payee gets amount − commission, the
    commission goes to revenue, in one ledger transaction; the transfer-out and transfer-in orders are named.

    A transfer whose life has ended is expired here (and its reservation released) before refusing with 410."""
    with transaction.atomic():
        outcome = _confirm(user=user, transfer_id=transfer_id, wallet=wallet)
    if outcome.refusal is not None:
        raise outcome.refusal
    return outcome.transfer


def _wallet_for(*, user, transfer: Transfer, wallet: str | None):
    if wallet in (None, ""):
        return None
    if transfer.action != Transfer.Action.RECEIVE:
        raise field_error("wallet", "The wallet can be specified only for a receive transfer.")
    from accounts.models import Wallet

    wallet = str(wallet).strip()
    try:
        lookup = {"pk": uuid.UUID(wallet)}
    except ValueError:
        lookup = {"address__iexact": wallet}
    found = Wallet.objects.filter(user=user, asset=transfer.asset, deleted_at__isnull=True, **lookup).first()
    if found is None or not found.is_usable:
        raise field_error("wallet", "The selected wallet is invalid.")
    return found


def _confirm(*, user, transfer_id, wallet) -> _Outcome:
    transfer = _locked(user=user, transfer_id=transfer_id)
    if transfer.status != Status.PENDING:
        return _Outcome(transfer, _refusal_for_closed(transfer))
    if user.pk != transfer.approver_id:
        raise TransferNotAllowed()
    now = timezone.now()
    if transfer.life_until_at <= now:
        _expire_now(transfer, now)
        return _Outcome(transfer, TransferExpired())
    trade_allowed_check(user=user, payer=transfer.from_user, payee=transfer.to_user)
    chosen = _wallet_for(user=user, transfer=transfer, wallet=wallet)
    change = _transition_change(transfer=transfer, to=Status.COMPLETED, actor=user, now=now)
    transfer.wallet = chosen
    orders, history = _orders_of(transfer, now=now)
    out_order, in_order = orders
    transfer.from_order_id, transfer.from_order_public_id = out_order.pk, out_order.public_id
    transfer.to_order_id, transfer.to_order_public_id = in_order.pk, in_order.public_id
    # One statement on PostgreSQL (a data-modifying CTE, ccpro.db.execute_together), one each elsewhere: the status
    # change, the two orders, their history, both parties' notifications and deliveries (outbox rows, handed out
    # by the notifications' sweep), the transfer's UPDATE, and last the SELECT of the posting's accounts. The
    # transfer row is locked already; ledger_post locks the accounts (in id order) and reads their balances again.
    connection = connections[router.db_for_write(Transfer)]
    wanted = _completion_wanted(transfer)
    rows = execute_together(
        [
            insert_statement([change], connection=connection),
            insert_statement(orders, connection=connection),
            insert_statement(history, connection=connection),
            *notification_batch_statements(items=_event_items(transfer, "completed"), connection=connection),
            _update_statement(transfer, _COMPLETION_COLUMNS, connection=connection),
            accounts_statement(asset=transfer.asset, wanted=wanted, connection=connection),
        ],
        using=connection.alias,
    )
    for objs in ([change], orders, history):
        inserted(objs, using=connection.alias)
    # The orders were written without save(): the two users' cached order-list totals must be told (after the
    # commit: nothing later in this transaction reads their order lists).
    orders_changed(user_ids=(transfer.from_user_id, transfer.to_user_id), at_once=False)
    transfer_events_emit(transfer=transfer, event="completed", notified=True)
    # The ledger last, so the accounts stay locked only from here to the commit. This one transaction is the
    # whole movement: the two orders above post nothing of their own.
    accounts = accounts_from(asset=transfer.asset, wanted=wanted, rows=rows, connection=connection)
    ledger_post(
        idempotency_key=f"transfer:{transfer.pk}:complete",
        kind="transfer_complete",
        legs=_completion_legs(transfer, accounts),
        reference=f"transfer:{transfer.pk}",
        memo=f"transfer {transfer.public_id} completed",
    )
    return _Outcome(transfer)


_update_sql: dict[tuple, str] = {}
_COMPLETION_COLUMNS = (
    "status", "closed_at", "wallet", "from_order_id", "from_order_public_id", "to_order_id", "to_order_public_id"
)  # fmt: skip


def _update_statement(transfer: Transfer, names: tuple[str, ...], *, connection) -> tuple[str, list]:
    """`transfer.save(update_fields=names)` as one fixed statement (the row is locked by the caller)."""
    fields = [Transfer._meta.get_field(name) for name in names]
    key = (connection.vendor, names)
    sql = _update_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {quote(Transfer._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
        _update_sql[key] = sql
    pk_field = Transfer._meta.pk
    params = [field.get_db_prep_save(getattr(transfer, field.attname), connection) for field in fields]
    return sql, [*params, pk_field.get_db_prep_value(transfer.pk, connection)]


def _orders_of(transfer: Transfer, *, now) -> tuple[list[Order], list[OrderStatusChange]]:
    """The payer's transfer-out and the payee's transfer-in orders of a completing transfer, APPROVED, and their
    one history row each, for the caller to insert. They mirror the transfer: `fromAmount` the amount,
    `toAmount` what the payee gets, the commission in the asset, rate 1. Born decided: the order transition
    service refuses them (trading.orders.order_transition), and they post nothing to the ledger."""
    asset = transfer.asset
    common = {
        "status": Order.Status.APPROVED,
        "type": asset.kind,
        "asset": asset,
        "from_asset": asset,
        "from_amount": transfer.amount,
        "rate": Decimal(1),
        "to_asset": asset,
        "to_amount": transfer.total,
        "commission_percent": transfer.commission_percent,
        "commission_amount": transfer.commission,
        "platform_id": transfer.platform_id,
        "transfer": transfer,
        "created_at": now,
        "updated_at": now,
    }
    out_order = Order(
        id=uuid.uuid4(), public_id=public_id_new(), user=transfer.from_user, operation=TRANSFER_OUT, **common
    )
    in_order = Order(id=uuid.uuid4(), public_id=public_id_new(), user=transfer.to_user, operation=TRANSFER_IN, **common)
    reason = f"transfer {transfer.public_id} completed"
    history = [
        OrderStatusChange(
            order=order,
            from_status="",
            to_status=Order.Status.APPROVED,
            actor=OrderStatusChange.Actor.USER,
            actor_user=transfer.from_user,
            reason=reason,
            created_at=now,
        )
        for order in (out_order, in_order)
    ]
    return [out_order, in_order], history


def transfer_refuse(*, user, transfer_id) -> Transfer:
    """Either party calls a pending transfer off (the payer declines, the creator withdraws it); the
    reservation is released."""
    with transaction.atomic():
        transfer = _locked(user=user, transfer_id=transfer_id)
        if transfer.status != Status.PENDING:
            outcome = _Outcome(transfer, _refusal_for_closed(transfer))
        elif transfer.life_until_at <= timezone.now():
            _expire_now(transfer, timezone.now())
            outcome = _Outcome(transfer, TransferExpired())
        else:
            transfer_transition(transfer=transfer, to=Status.REFUSED, actor=user, reason="refused by a party")
            transfer.save(update_fields=["status", "closed_at"])
            transfer_events_emit(transfer=transfer, event="refused")
            _release(transfer, why="refused")
            outcome = _Outcome(transfer)
    if outcome.refusal is not None:
        raise outcome.refusal
    return outcome.transfer


def transfer_expire_due(*, now=None, batch: int = EXPIRY_BATCH) -> int:
    """Expire every pending transfer whose life has ended, exactly once each, and release its reservation.

    Set-based per batch: one SELECT … FOR UPDATE SKIP LOCKED picks the due transfers (a transfer being confirmed
    right now is skipped, and refused by its confirmation if it is late), one UPDATE flips them, one INSERT
    records the moves, the accounts of the batch are locked in one ordered statement, then each reservation is
    released (ledger key `transfer:<id>:release`, so never twice). Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            due = list(
                Transfer.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=Status.PENDING, life_until_at__lte=now)
                .select_related("asset", "from_user", "to_user")
                .order_by("life_until_at", "pk")[:batch]
            )
            if not due:
                return expired
            Transfer.objects.filter(pk__in=[t.pk for t in due], status=Status.PENDING).update(
                status=Status.EXPIRED, closed_at=now
            )
            TransferStatusChange.objects.bulk_create(
                TransferStatusChange(
                    transfer=t,
                    from_status=Status.PENDING,
                    to_status=Status.EXPIRED,
                    reason="life ended",
                    created_at=now,
                )
                for t in due
            )
            accounts = {account.pk for t in due for account, _ in _release_legs(t)}
            list(LedgerAccount.objects.select_for_update().filter(pk__in=sorted(accounts)).order_by("pk"))
            for t in due:
                t.status, t.closed_at = Status.EXPIRED, now
                _release(t, why="expired")
                transfer_events_emit(transfer=t, event="expired")
            expired += len(due)
        if len(due) < batch:
            return expired
