"""Writes of quotes, orders and deposits. Every status change of an order goes through `order_transition`.

Money moves only through the ledger (trading/order_ledger.py, docs/ledger.md), in the same database transaction
as the status change that causes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.instrument_rules import RuleError, wallet_address_normalise
from accounts.instruments_models import Bank, Card, InstrumentStatus, Wallet
from accounts.selectors import user_self_delete_pending
from ccpro import errors
from ccpro.api.validation import laravel_message
from ccpro.db import insert_instances
from ccpro.uploads.services import stored_file_create
from platforms.selectors import ien_listening_user_ids

from . import order_ledger, order_selectors
from .models import Asset, Operation
from .order_exceptions import (
    DepositAddressUnavailable,
    DepositNotAllowed,
    OrderKycLevelTooLow,
    OrderTransitionNotAllowed,
    PaymentAlreadyConfirmed,
    PaymentProofNotRequired,
    QuoteAccountInactive,
    QuoteAlreadyProcessed,
    QuoteExpired,
    QuoteSelfDeletePending,
    QuoteTradingDisabled,
    TradingDisabled,
)
from .order_models import DepositAddress, Order, OrderStatusChange, PaymentType, Quote
from .pricing import amount_parse, price_get
from .selectors import (
    CONFIG_VERSION_KEY,
    market_config,
    market_config_version,
    market_reads,
    rates_current,
    user_market,
)

S = Order.Status
Actor = OrderStatusChange.Actor

# The one table of legal moves. Anything else is refused (OrderTransitionNotAllowed).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PAYMENT_WAITING: frozenset({S.PROCESSING_PAYMENT, S.REJECTED}),
    S.PROCESSING_PAYMENT: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset(),
}

FIAT_OPERATIONS = frozenset({Operation.BUY_WITH_FIAT, Operation.SELL_TO_FIAT})
BUY_OPERATIONS = frozenset({Operation.BUY_WITH_FIAT, Operation.BUY_WITH_CRYPTO})
SELL_OPERATIONS = frozenset({Operation.SELL_TO_FIAT, Operation.SELL_TO_CRYPTO})
CRYPTO_EXCHANGES = frozenset({Operation.BUY_WITH_CRYPTO, Operation.SELL_TO_CRYPTO})
PRICE_KIND = {
    Operation.BUY_WITH_FIAT: "buy",
    Operation.BUY_WITH_CRYPTO: "buy",
    Operation.SELL_TO_FIAT: "sell",
    Operation.SELL_TO_CRYPTO: "sell",
    Operation.WITHDRAW: "withdraw",
    Operation.WITHDRAW_ICO: "withdraw-ico",
}


def _invalid(field: str, template: str) -> errors.InvalidInput:
    return errors.InvalidInput(errors={field: [laravel_message(field, template)]})


# --- KYC ------------------------------------------------------------------------------------------


def kyc_level_required(*, user, operation: str, amount_eur: Decimal) -> int:
    """The KYC level the user needs for an operation of this EUR value: 0 when the current level allows it
    (counting what the user already did in the platform's reference period), else the lowest level that does
    (`kycLevelRequired`; the level after the highest when no level allows that much)."""
    from kyc.services import kyc_level_required as check_level

    check = check_level(user=user, operation=operation, amount=amount_eur, fiat="EUR")
    if check.allowed:
        return 0
    return check.required_level if check.required_level is not None else check.level + 1


def value_in_eur(symbol: str, amount: Decimal) -> Decimal:
    found = rates_current().get(symbol)
    return amount * found[0] if found else Decimal(0)


# --- The transition service -----------------------------------------------------------------------


def _record(order: Order, *, from_status: str, to_status: str, actor: str, actor_user, reason: str) -> None:
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_user=actor_user,
        reason=reason[:500],
    )


def _order_open(order: Order, *, actor: str, actor_user, reason: str = "") -> Order:
    """Insert a new order with its initial status and the first history row."""
    order.save(force_insert=True)
    _record(order, from_status="", to_status=order.status, actor=actor, actor_user=actor_user, reason=reason)
    return order


def _notify(order: Order, to_status: str) -> None:
    from notifications.services import notification_create

    meta = {"id": order.pk, "publicId": order.public_id}
    if to_status == S.APPROVED and order.operation == Operation.DEPOSIT:
        notification_create(
            user=order.user,
            event="deposit_received",
            meta=meta,
            context={"amount": format(order.to_amount.normalize(), "f"), "asset": order.to_asset.symbol},
        )
    elif to_status == S.APPROVED:
        notification_create(user=order.user, event="order_approved", meta=meta)
    elif to_status == S.REJECTED:
        notification_create(user=order.user, event="order_rejected", meta=meta)
    elif to_status == S.PROCESSING_PAYMENT and order.operation == Operation.BUY_WITH_FIAT:
        notification_create(user=order.user, event="order_payment_received", meta=meta)


def _emit(order: Order) -> None:
    """Tell the user's partner platforms (instant event notification, delivered after commit)."""
    from platforms.services import ien_emit_for_user

    from .order_apis import order_body

    ien_emit_for_user(
        user=order.user, event_type="order.status", stream=f"order:{order.pk}", obj_payload=order_body(order)
    )


def _emit_quote(quote: Quote, *, listening: bool | None = None) -> None:
    """`quote.status` to the user's partner platforms: on creation, completion and expiry. The body is built only
    when one of them listens (most users came through none); `listening` when the caller asked already."""
    from platforms.services import ien_emit_for_user

    from .order_apis import quote_body

    if listening is None:
        listening = bool(ien_listening_user_ids(user_ids=[quote.user_id]))
    if not listening:
        return

    ien_emit_for_user(
        user=quote.user, event_type="quote.status", stream=f"quote:{quote.pk}", obj_payload=quote_body(quote)
    )


def _emit_quotes_expired(quote_ids: list) -> None:
    """After an expiry batch (in its transaction): `quote.status` for the expired quotes of users linked to a
    platform that listens; the other quotes are not even loaded."""
    if not quote_ids:
        return
    from platforms.models import DEFAULT_PLATFORM_CODE, PlatformUserLink

    from .order_selectors import with_quote_relations

    listening = (
        PlatformUserLink.objects.filter(active=True, platform__active=True)
        .exclude(platform__ien_url="")
        .exclude(platform__code=DEFAULT_PLATFORM_CODE)
        .values("user_id")
    )
    for quote in with_quote_relations(Quote.objects.filter(pk__in=quote_ids, user_id__in=listening)):
        _emit_quote(quote)


@transaction.atomic
def order_transition(
    *, order_id, to_status: str, actor: str, actor_user=None, reason: str = "", tx_id: str | None = None
) -> Order:
    """Move an order to `to_status` if the table allows it, with its ledger effect and a history row.

    The order row is locked first (select_for_update), so two deciders cannot both act on one order; the
    second one sees the new status and is refused. `tx_id` is required to approve a withdrawal (what staff
    sent on chain). Child orders (a withdraw after a buy) follow their parent: funded when it is approved,
    rejected when it is rejected."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("user", "from_asset", "to_asset", "asset")
        .get(pk=order_id)
    )
    from_status = order.status
    if order.transfer_id is not None:
        raise OrderTransitionNotAllowed("A transfer's order is decided by its transfer only.")
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        raise OrderTransitionNotAllowed(f"An order cannot move from {from_status} to {to_status}.")

    if to_status == S.APPROVED and actor == Actor.STAFF and order.kyc_level_required:
        _kyc_level_reached_check(order)

    funded = order.operation in order_ledger.BALANCE_FUNDED
    if to_status == S.PROCESSING_PAYMENT and funded:
        order_ledger.order_reserve(order)
    elif to_status == S.APPROVED:
        if order.operation in order_ledger.WITHDRAWALS:
            tx_id = (tx_id or "").strip()
            if not tx_id:
                raise _invalid("txId", "The {attr} field is required.")
            order.tx_id = tx_id[:191]
        order_ledger.order_approve(order)
    elif to_status == S.REJECTED and funded and from_status == S.PROCESSING_PAYMENT:
        order_ledger.order_release(order)

    order.status = to_status
    order.updated_at = timezone.now()
    order.save(update_fields=["status", "tx_id", "updated_at"])
    _record(order, from_status=from_status, to_status=to_status, actor=actor, actor_user=actor_user, reason=reason)
    _notify(order, to_status)
    _emit(order)
    if to_status == S.APPROVED:
        # The KYC object's cached period sums (kyc/selectors.py): stale now, and again once this commits (a
        # profile read meanwhile still sees the database before the approval and may cache that).
        from kyc.selectors import period_amounts_changed

        period_amounts_changed(user_id=order.user_id)
        transaction.on_commit(lambda: period_amounts_changed(user_id=order.user_id), robust=True)

    if to_status in (S.APPROVED, S.REJECTED):
        for child_id in order.child_orders.filter(status=S.PAYMENT_WAITING).values_list("pk", flat=True):
            order_transition(
                order_id=child_id,
                to_status=S.PROCESSING_PAYMENT if to_status == S.APPROVED else S.REJECTED,
                actor=Actor.SYSTEM,
                reason=f"parent order {order.public_id} {to_status.lower()}",
            )
    return order


def _kyc_level_reached_check(order: Order) -> None:
    """Staff may not approve (and so credit) an order whose `kycLevelRequired` is above the user's current level."""
    from kyc.selectors import kyc_view

    level = kyc_view(user=order.user, with_reasons=False).level
    if level < order.kyc_level_required:
        raise OrderKycLevelTooLow(
            f"The user's KYC level ({level}) is below the level this order requires ({order.kyc_level_required})."
        )


# Staff decisions (back office). Each is a thin, named use of the transition service.


def order_payment_received(*, order_id, staff, reason: str = "") -> Order:
    return order_transition(
        order_id=order_id,
        to_status=S.PROCESSING_PAYMENT,
        actor=Actor.STAFF,
        actor_user=staff,
        reason=reason or "payment received",
    )


def order_approve(*, order_id, staff, reason: str = "", tx_id: str | None = None) -> Order:
    return order_transition(
        order_id=order_id, to_status=S.APPROVED, actor=Actor.STAFF, actor_user=staff, reason=reason, tx_id=tx_id
    )


def order_reject(*, order_id, staff, reason: str) -> Order:
    if not (reason or "").strip():
        raise _invalid("reason", "The {attr} field is required.")
    return order_transition(order_id=order_id, to_status=S.REJECTED, actor=Actor.STAFF, actor_user=staff, reason=reason)


# --- Quotes ---------------------------------------------------------------------------------------


def quote_life_seconds() -> int:
    return int(getattr(settings, "QUOTE_LIFE_SECONDS", 300))


def _asset_for(symbol, *, kind: str | None = None, crypto: bool = False, known=None) -> Asset | None:
    """The active asset with this symbol (its chain loaded); `known` (an order_selectors.Catalogue) answers
    without a query."""
    symbol = str(symbol or "").upper()
    if known is not None:
        asset = known.asset(symbol)
        asset = asset if asset is not None and asset.active else None
    else:
        asset = Asset.objects.select_related("chain").filter(active=True, symbol=symbol).first()
    if asset is None or (kind is not None and asset.kind != kind) or (crypto and asset.is_fiat):
        return None
    return asset


def _chain_id(asset: Asset) -> int:
    return asset.chain_id or asset.pk


def _payment_instrument(*, user, method_id, payment_type: str | None, fiat: Asset, field: str):
    """The user's confirmed bank or card with this id, usable for this fiat; 422 otherwise."""
    try:
        key = uuid.UUID(str(method_id))
    except ValueError as exc:
        raise _invalid(field, "The {attr} must be a valid UUID.") from exc
    models = [m for kind, m in (("bank", Bank), ("card", Card)) if payment_type in (None, "", kind)]
    instrument = None
    for model in models:
        instrument = model.objects.filter(user=user, pk=key, deleted_at__isnull=True).first()
        if instrument is not None:
            break
    if instrument is None:
        raise _invalid(field, "The selected {attr} is invalid.")
    if instrument.status != InstrumentStatus.CONFIRMED:
        raise _invalid(field, "The {attr} must be confirmed before it is used.")
    if isinstance(instrument, Bank) and instrument.currency != fiat.symbol:
        raise _invalid(field, f"The {{attr}} must be a bank account in {fiat.symbol}.")
    return instrument


def _withdraw_wallet(*, user, value: str, asset: Asset) -> Wallet:
    """The user's confirmed wallet named by id or address, on the asset's chain."""
    wallets = Wallet.objects.select_related("asset").filter(user=user, deleted_at__isnull=True)
    wallet = None
    try:
        wallet = wallets.filter(pk=uuid.UUID(str(value))).first()
    except ValueError:
        chain = asset.chain.symbol if asset.chain_id else asset.symbol
        try:
            address = wallet_address_normalise(str(value), chain_symbol=chain)
        except RuleError:
            raise _invalid("wallet", "The selected {attr} is invalid.") from None
        wallet = wallets.filter(address=address).first()
    if wallet is None:
        raise _invalid("wallet", "The selected {attr} is invalid.")
    if _chain_id(wallet.asset) != _chain_id(asset):
        raise _invalid("wallet", "The {attr} must be on the chain of the order symbol.")
    if wallet.status != InstrumentStatus.CONFIRMED:
        raise _invalid("wallet", "The {attr} must be confirmed before it is used.")
    return wallet


def _limits_check(*, price, operation: str, crypto_amount: Decimal, fiat_amount: Decimal | None) -> None:
    op = price.config
    for value, low, high in ((crypto_amount, op.crypto_min, op.crypto_max), (fiat_amount, op.fiat_min, op.fiat_max)):
        if value is None:
            continue
        if low is not None and value < low:
            raise _invalid("orderAmount", f"The {{attr}} is below the minimum of this operation ({low.normalize():f}).")
        if high is not None and value > high:
            raise _invalid(
                "orderAmount", f"The {{attr}} is above the maximum of this operation ({high.normalize():f})."
            )


def quote_create(
    *,
    user,
    type: str,
    order_type: str,
    order_amount: str,
    order_symbol: str,
    payment_symbol: str | None = None,
    payment_method_id=None,
    payment_type: str | None = None,
    wallet: str | None = None,
    second_order_type: str | None = None,
) -> Quote:
    """Price an operation for the user and hold that price for QUOTE_LIFE_SECONDS. Fields come shape-checked by
    the API; everything needing the database is checked here, in the reference's order of concerns."""
    if not user.is_active:
        raise QuoteAccountInactive()
    if not user.trade_status:
        raise QuoteTradingDisabled()
    if user_self_delete_pending(user=user):
        raise QuoteSelfDeletePending()

    # The market configuration, the user's platform and discount and the current rates in one cache round trip
    # (what pricing needs), and the assets and platforms from the per-process catalogue of the same configuration
    # version (no query).
    reads = market_reads(user=user)
    known = order_selectors.catalogue(version=reads[3].get(CONFIG_VERSION_KEY) or market_config_version())
    asset = _asset_for(order_symbol, kind=type, known=known)
    if asset is None or asset.is_fiat:
        raise _invalid("orderSymbol", "The selected {attr} is invalid.")
    amount = amount_parse(order_amount, field="orderAmount", decimals=asset.decimals)

    exchange = order_type in BUY_OPERATIONS or order_type in SELL_OPERATIONS
    other = asset
    if exchange:
        other = _asset_for(payment_symbol, known=known)
        wants_fiat = order_type in FIAT_OPERATIONS
        if other is None or other.is_fiat != wants_fiat or other.pk == asset.pk:
            raise _invalid("orderPaymentSymbol", "The selected {attr} is invalid.")

    instrument = None
    if order_type in FIAT_OPERATIONS:
        if payment_method_id:
            instrument = _payment_instrument(
                user=user,
                method_id=payment_method_id,
                payment_type=payment_type,
                fiat=other,
                field="orderPaymentMethod",
            )
            payment_type = PaymentType.BANK if isinstance(instrument, Bank) else PaymentType.CARD
        if order_type == Operation.SELL_TO_FIAT and payment_type == PaymentType.CARD:
            # Sales are paid out by bank transfer; cards only pay for purchases.
            raise _invalid("orderPaymentType", "The selected {attr} is invalid.")
    else:
        payment_type = None

    if order_type in BUY_OPERATIONS and wallet and not second_order_type:
        second_order_type = Operation.WITHDRAW_ICO if asset.kind == Asset.Kind.TOKEN else Operation.WITHDRAW
    withdraw_wallet = None
    if order_type in (Operation.WITHDRAW, Operation.WITHDRAW_ICO) or second_order_type:
        withdraw_wallet = _withdraw_wallet(user=user, value=wallet or "", asset=asset)

    kind = PRICE_KIND[order_type]
    from_symbol, to_symbol = (
        (other.symbol, asset.symbol) if order_type in BUY_OPERATIONS else (asset.symbol, other.symbol)
    )
    amounts = {"to_amount": str(amount)} if order_type in BUY_OPERATIONS else {"from_amount": str(amount)}
    price = price_get(
        user=user,
        kind=kind,
        from_symbol=from_symbol,
        to_symbol=to_symbol,
        payment_type=payment_type,
        reads=reads[:3],
        **amounts,
    )
    if price.operation != order_type:
        raise _invalid("orderType", "The selected {attr} is invalid.")
    fiat_amount = None
    if order_type in FIAT_OPERATIONS:
        fiat_amount = price.amount_from if order_type in BUY_OPERATIONS else price.amount_to
    _limits_check(price=price, operation=order_type, crypto_amount=amount, fiat_amount=fiat_amount)

    second_ops = dict(price.config.second_operations)
    if second_order_type:
        if order_type not in BUY_OPERATIONS or second_order_type not in second_ops:
            raise _invalid("secondOrderType", "The selected {attr} is invalid.")
        # The chained withdrawal must be available now too (it is priced again at confirmation).
        price_get(
            user=user,
            kind=PRICE_KIND[second_order_type],
            from_symbol=asset.symbol,
            to_symbol=asset.symbol,
            from_amount=str(amount),
            reads=reads[:3],
        )
    elif any(second_ops.values()):
        raise _invalid("secondOrderType", "The {attr} field is required.")

    life = quote_life_seconds()
    now = timezone.now()
    sides = {asset.symbol: asset, other.symbol: other}  # the priced assets are these two (one for withdrawals)
    platform = known.platform(uuid.UUID(str(price.platform_id)))
    quote = Quote(
        user=user,
        type=asset.kind,
        operation=order_type,
        second_operation=second_order_type or "",
        asset=asset,
        from_asset=sides[price.from_asset.symbol],
        to_asset=sides[price.to_asset.symbol],
        from_amount=price.amount_from,
        to_amount=price.amount_to,
        rate=price.rate,
        rate_raw=price.rate_raw,
        commission_percent=price.commission_percent,
        discount_percent=price.discount_percent,
        commission_from=price.commission_from,
        commission_to=price.commission_to,
        payment_type=payment_type or "",
        bank=instrument if isinstance(instrument, Bank) else None,
        card=instrument if isinstance(instrument, Card) else None,
        payment_mandatory=False,
        wallet=withdraw_wallet,
        wallet_address=withdraw_wallet.address if withdraw_wallet else "",
        platform_id=price.platform_id,
        life_seconds=life,
        expires_at=now + timedelta(seconds=life),
        created_at=now,
    )
    if platform is not None:
        quote.platform = platform  # what the body shows, without loading it again
    # One fixed INSERT (the ORM compiles one per call). The announcement to partner platforms is written in the
    # same transaction as the quote; a user no platform listens for needs no transaction around one statement.
    if ien_listening_user_ids(user_ids=[user.pk], platforms=known.platforms.values()):
        with transaction.atomic():
            insert_instances([quote])
            _emit_quote(quote, listening=True)
    else:
        insert_instances([quote])
    return quote


def _confirm_signature(path_and_query: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), path_and_query.encode(), hashlib.sha256).hexdigest()


_HS512_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS512","typ":"JWT"}').rstrip(b"=")


def _hs512_jwt(payload: dict) -> str:
    """`jwt.encode(payload, SECRET_KEY, algorithm="HS512")`, byte for byte (same header, same compact JSON), without
    PyJWT's per-call key checks (it tries the secret as a PEM, an SSH and a DER key: 0.03 ms of the 0.04 per quote
    body). Read back with jwt.decode (quote_from_confirm_link)."""
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=")
    signing_input = _HS512_HEADER + b"." + body
    signature = hmac.new(settings.SECRET_KEY.encode(), signing_input, hashlib.sha512).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


def quote_confirm_url(quote: Quote) -> str | None:
    """The portal page confirming the quote: a JWT (HS512 under SECRET_KEY) carrying the reference's payload in
    the path, and an HMAC `signature` over path and query. None once the quote is no longer available."""
    if quote.status != Quote.Status.AVAILABLE:
        return None
    expire = int(quote.expires_at.timestamp())
    payload = {
        "quote": str(quote.pk),
        "user": str(quote.user_id),
        "email": quote.user.email,
        "access": quote.access,
        "expire": expire,
        "extra": {"externalPlatformName": None},
    }
    token = _hs512_jwt(payload)
    language = getattr(quote.user, "language", "en") or "en"
    path = f"/confirm-quote/{token}?" + urlencode({"display": "light", "expires": expire, "lang": language})
    return f"{settings.SITE_URL}{path}&signature={_confirm_signature(path)}"


def quote_from_confirm_link(*, token: str, query: dict) -> Quote:
    """The quote a confirmUrl names, if its signature, JWT and access are valid; NotFound otherwise."""
    params = {key: query.get(key, "") for key in ("display", "expires", "lang")}
    path = f"/confirm-quote/{token}?" + urlencode(params)
    if not hmac.compare_digest(_confirm_signature(path), str(query.get("signature", ""))):
        raise errors.NotFound()
    try:
        payload = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS512"])
        quote = Quote.objects.select_related("user").get(pk=payload["quote"], user_id=payload["user"])
    except (jwt.PyJWTError, KeyError, ValueError, Quote.DoesNotExist) as exc:
        raise errors.NotFound() from exc
    if not hmac.compare_digest(quote.access, str(payload.get("access", ""))):
        raise errors.NotFound()
    return quote


def _price_second(quote: Quote, order: Order) -> Order:
    """The withdrawal chained after a buy: priced now, waiting for its parent's approval."""
    price = price_get(
        user=quote.user,
        kind=PRICE_KIND[quote.second_operation],
        from_symbol=quote.asset.symbol,
        to_symbol=quote.asset.symbol,
        from_amount=str(order.to_amount),
    )
    child = Order(
        user=quote.user,
        status=S.PAYMENT_WAITING,
        type=quote.type,
        operation=quote.second_operation,
        asset=quote.asset,
        from_asset=quote.asset,
        from_amount=price.amount_from,
        rate=price.rate,
        to_asset=quote.asset,
        to_amount=price.amount_to,
        commission_percent=price.commission_percent,
        commission_amount=price.commission_from,
        wallet=quote.wallet,
        wallet_address=quote.wallet_address,
        parent_order=order,
        platform_id=quote.platform_id,
    )
    return _order_open(child, actor=Actor.USER, actor_user=quote.user, reason=f"after order {order.public_id}")


@transaction.atomic
def quote_confirm(*, user, quote_id, payment_method_id=None, now=None) -> Order:
    """Turn an available quote into its order, exactly once.

    The quote row is locked; a completed quote is refused (403 already processed), an expired one too (403),
    whether the sweep marked it or its time simply ran out. Orders paid from the balance reserve their amount
    here (InsufficientFunds refuses the whole confirmation); crypto-to-crypto exchanges are filled at once."""
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("user", "asset__chain", "from_asset", "to_asset", "bank", "card", "wallet")
        .filter(user=user, pk=quote_id)
        .first()
    )
    if quote is None:
        raise errors.NotFound()
    if not user.trade_status:
        raise TradingDisabled()
    if quote.status == Quote.Status.COMPLETED:
        raise QuoteAlreadyProcessed()
    now = now or timezone.now()
    if quote.status == Quote.Status.EXPIRED or quote.expires_at <= now:
        raise QuoteExpired()

    instrument = quote.payment_instrument
    if quote.operation in FIAT_OPERATIONS:
        if payment_method_id:
            instrument = _payment_instrument(
                user=user,
                method_id=payment_method_id,
                payment_type=quote.payment_type or None,
                fiat=quote.from_asset if quote.operation in BUY_OPERATIONS else quote.to_asset,
                field="orderPaymentMethod",
            )
        elif instrument is None:
            raise _invalid("orderPaymentMethod", "The {attr} field is required.")
        elif instrument.status != InstrumentStatus.CONFIRMED or instrument.deleted_at is not None:
            raise _invalid("orderPaymentMethod", "The {attr} must be confirmed before it is used.")

    crypto_symbol = quote.asset.symbol
    crypto_amount = quote.amount
    kyc_level = kyc_level_required(
        user=user, operation=quote.operation, amount_eur=value_in_eur(crypto_symbol, crypto_amount)
    )
    payment_method = ""
    if isinstance(instrument, Bank):
        payment_method = PaymentType.BANK
    elif isinstance(instrument, Card):
        payment_method = PaymentType.CARD
    order = Order(
        user=user,
        status=S.PAYMENT_WAITING,
        type=quote.type,
        operation=quote.operation,
        asset=quote.asset,
        from_asset=quote.from_asset,
        from_amount=quote.from_amount,
        rate=quote.rate,
        to_asset=quote.to_asset,
        to_amount=quote.to_amount,
        commission_percent=quote.commission_percent,
        commission_amount=quote.commission_from,
        payment_method=payment_method,
        bank=instrument if isinstance(instrument, Bank) else None,
        card=instrument if isinstance(instrument, Card) else None,
        wallet=quote.wallet if quote.operation in order_ledger.WITHDRAWALS else None,
        wallet_address=quote.wallet_address if quote.operation in order_ledger.WITHDRAWALS else "",
        quote=quote,
        platform_id=quote.platform_id,
        kyc_level_required=kyc_level,
    )
    _order_open(order, actor=Actor.USER, actor_user=user, reason=f"quote {quote.public_id} confirmed")
    _emit(order)
    quote.status = Quote.Status.COMPLETED
    if instrument is not None and quote.payment_instrument is None:
        quote.bank = order.bank
        quote.card = order.card
    quote.save(update_fields=["status", "bank", "card"])
    _emit_quote(quote)
    if quote.second_operation:
        _price_second(quote, order)

    if quote.operation in order_ledger.BALANCE_FUNDED:
        order_transition(
            order_id=order.pk, to_status=S.PROCESSING_PAYMENT, actor=Actor.SYSTEM, reason="funds reserved from balance"
        )
    if quote.operation in CRYPTO_EXCHANGES:
        order_transition(order_id=order.pk, to_status=S.APPROVED, actor=Actor.SYSTEM, reason="filled at quoted rate")
    order.refresh_from_db()
    return order


EXPIRY_BATCH = 10000


def quote_expire_due(*, now=None, batch_size: int = EXPIRY_BATCH) -> int:
    """Mark every available quote whose time ran out as expired and tell its owner; returns how many.

    Each batch is one transaction: the due rows are locked with SKIP LOCKED (a confirmation holding a quote
    keeps it; a second sweep running at the same time takes other rows), expired with one set-based UPDATE
    that re-checks the status, and their inbox notifications inserted in the same transaction. A batch that
    dies rolls back whole, so a quote is expired and notified exactly once however often the task runs.
    On PostgreSQL the three steps are one statement per batch (nothing travels back and forth but the count)."""
    now = now or timezone.now()
    batch = _expire_batch_postgresql if connection.vendor == "postgresql" else _expire_batch_orm
    total = 0
    while True:
        with transaction.atomic():
            done = batch(now=now, batch_size=batch_size)
        if not done:
            return total
        total += done


def _expire_batch_orm(*, now, batch_size: int) -> int:
    from notifications.services import notification_create_many

    due = list(
        Quote.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Quote.Status.AVAILABLE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", "user_id", "public_id", "user__language")[:batch_size]
    )
    if due:
        Quote.objects.filter(pk__in=[row[0] for row in due], status=Quote.Status.AVAILABLE).update(
            status=Quote.Status.EXPIRED
        )
        notification_create_many(
            event="quote_expired",
            items=[(user_id, language, {"id": pk, "publicId": public_id}) for pk, user_id, public_id, language in due],
        )
        _emit_quotes_expired([row[0] for row in due])
    return len(due)


# Markers the notification wording is rendered with, replaced per row by the database.
_ID_MARK, _PUBLIC_ID_MARK = "\x01id\x01", "\x01publicId\x01"


def _expire_batch_postgresql(*, now, batch_size: int) -> int:
    """Lock, expire and notify one batch in one statement. The wording is rendered by notifications.events for
    each language with markers in place of the quote's ids, which the INSERT replaces per row."""
    from django.conf import settings as django_settings

    from accounts.models import User
    from notifications import events as notification_events
    from notifications.models import Notification

    spec = notification_events.EVENTS["quote_expired"]
    if spec.channels:  # deliveries need the notifications service, one by one
        return _expire_batch_orm(now=now, batch_size=batch_size)
    wordings = []
    for language, _name in django_settings.LANGUAGES:
        title, message = notification_events.wording(spec, language, {"id": _ID_MARK, "publicId": _PUBLIC_ID_MARK})
        wordings += [language, title[:191], message]
    languages = ", ".join(["(%s, %s, %s)"] * (len(wordings) // 3))
    n, q, u = Notification._meta.db_table, Quote._meta.db_table, User._meta.db_table
    # Table names come from model metadata; every value is a bound parameter.
    sql = f"""
        WITH due AS (
            SELECT id FROM {q} WHERE status = %s AND expires_at <= %s
            ORDER BY expires_at LIMIT %s FOR UPDATE SKIP LOCKED
        ), expired AS (
            UPDATE {q} AS quote SET status = %s FROM due
            WHERE quote.id = due.id AND quote.status = %s
            RETURNING quote.id, quote.user_id, quote.public_id
        ), wording (language, title, message) AS (VALUES {languages})
        INSERT INTO {n} (id, user_id, title, message, category, code, meta, language, created_at)
        SELECT gen_random_uuid(), e.user_id,
               replace(replace(w.title, %s, e.id::text), %s, e.public_id),
               replace(replace(w.message, %s, e.id::text), %s, e.public_id),
               %s, %s, jsonb_build_object('id', e.id::text, 'publicId', e.public_id), w.language, %s
        FROM expired e
        JOIN {u} AS owner ON owner.id = e.user_id
        JOIN wording w ON w.language = CASE WHEN owner.language IN (SELECT language FROM wording)
                                            THEN owner.language ELSE 'en' END
        RETURNING meta->>'id'
    """  # noqa: S608
    params = [
        Quote.Status.AVAILABLE,
        now,
        batch_size,
        Quote.Status.EXPIRED,
        Quote.Status.AVAILABLE,
        *wordings,
        _ID_MARK,
        _PUBLIC_ID_MARK,
        _ID_MARK,
        _PUBLIC_ID_MARK,
        spec.category,
        "quote_expired",
        timezone.now(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expired = [row[0] for row in cursor.fetchall()]  # one notification per expired quote
    _emit_quotes_expired(expired)
    return len(expired)


# --- Deposits -------------------------------------------------------------------------------------


def _deposit_allowed(*, user, asset: Asset) -> None:
    config = market_config(platform_id=user_market(user=user).platform_id)
    op = config.operation(asset=asset.symbol, operation=Operation.DEPOSIT)
    if op is None or not op.status:
        raise DepositNotAllowed()


@transaction.atomic
def deposit_create(*, user, type: str, symbol: str, amount: str, tx_id: str, wallet: str = "") -> Order:
    """A claim that `amount` of a coin or token was sent to CCPro in chain transaction `tx_id`: a deposit order in
    PROCESSING_PAYMENT, credited when staff find the transaction on chain. A transaction is credited once per
    chain: a second claim of it (by anyone) is refused while the first is not rejected."""
    asset = _asset_for(symbol, kind=type)
    if asset is None or asset.is_fiat:
        raise _invalid("symbol", "The selected {attr} is invalid.")
    _deposit_allowed(user=user, asset=asset)
    value = amount_parse(amount, field="amount", decimals=asset.decimals)
    tx_id = tx_id.strip()
    chain = asset.chain if asset.chain_id else asset
    if (
        Order.objects.filter(operation=Operation.DEPOSIT, tx_chain=chain, tx_id=tx_id)
        .exclude(status=S.REJECTED)
        .exists()
    ):
        raise errors.InvalidInput(errors={"txID": ["The txID has already been claimed."]})
    order = Order(
        user=user,
        status=S.PROCESSING_PAYMENT,
        type=asset.kind,
        operation=Operation.DEPOSIT,
        asset=asset,
        to_asset=asset,
        to_amount=value,
        wallet_address=wallet or "",
        tx_id=tx_id,
        tx_chain=chain,
        platform_id=user_market(user=user).platform_id,
        kyc_level_required=kyc_level_required(
            user=user, operation=Operation.DEPOSIT, amount_eur=value_in_eur(asset.symbol, value)
        ),
    )
    try:
        with transaction.atomic():
            _order_open(order, actor=Actor.USER, actor_user=user, reason="deposit claimed")
        _emit(order)
    except IntegrityError as exc:  # the same transaction claimed concurrently
        raise errors.InvalidInput(errors={"txID": ["The txID has already been claimed."]}) from exc
    return order


@transaction.atomic
def deposit_address_assign(
    *, user, symbol: str, destination: str = DepositAddress.Destination.BROKER
) -> DepositAddress:
    """The user's deposit address for an asset (and destination): the one already handed out, else the oldest free
    address of the asset's chain from the pool; 403 when the pool of that chain is empty."""
    asset = _asset_for(symbol, crypto=True)
    if asset is None:
        raise _invalid("asset", "The selected {attr} is invalid.")
    _deposit_allowed(user=user, asset=asset)
    mine = DepositAddress.objects.filter(user=user, asset=asset, destination=destination).select_related("chain")
    existing = mine.first()
    if existing is not None:
        return existing
    free = (
        DepositAddress.objects.select_for_update(skip_locked=True)
        .filter(
            chain_id=_chain_id(asset),
            destination=destination,
            user__isnull=True,
            status=DepositAddress.Status.ENABLED,
        )
        .order_by("created_at", "id")
        .first()
    )
    if free is None:
        raise DepositAddressUnavailable()
    free.user, free.asset, free.assigned_at = user, asset, timezone.now()
    try:
        with transaction.atomic():
            free.save(update_fields=["user", "asset", "assigned_at"])
    except IntegrityError:  # the same user asked twice at once: the other request assigned one
        return mine.get()
    return free


def deposit_addresses_import(*, chain: Asset, addresses, destination: str, type: str) -> dict:
    """Load addresses into a chain's pool. Each line is validated for the chain and normalised; duplicates (in
    the input or already loaded) are skipped. Returns {"created", "duplicates", "invalid": [(line, text)]}."""
    report = {"created": 0, "duplicates": 0, "invalid": []}
    seen: set[str] = set()
    rows = []
    for number, raw in enumerate(addresses, start=1):
        text = str(raw).strip()
        if not text:
            continue
        try:
            address = wallet_address_normalise(text, chain_symbol=chain.symbol)
        except RuleError:
            report["invalid"].append((number, text[:80]))
            continue
        if address in seen:
            report["duplicates"] += 1
            continue
        seen.add(address)
        rows.append(DepositAddress(chain=chain, address=address, destination=destination, type=type))
    with transaction.atomic():
        existing = set(
            DepositAddress.objects.filter(chain=chain, address__in=[r.address for r in rows]).values_list(
                "address", flat=True
            )
        )
        fresh = [r for r in rows if r.address not in existing]
        DepositAddress.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    report["created"] = len(fresh)
    report["duplicates"] += len(rows) - len(fresh)
    return report


# --- Payment proof --------------------------------------------------------------------------------


@transaction.atomic
def order_payment_confirm(*, user, order_id, upload, via_payment_link: bool = False) -> Order:
    """The user's proof of a bank transfer paying a buy_with_fiat order: stored privately, the order moves to
    PROCESSING_PAYMENT for staff to review. A deactivated account's proof is refused (AccountInactive, as the
    API's views refuse such an account before reaching here). `via_payment_link`: sent through the signed
    bank-confirm page (the orders' `payment.url`, no session), which the status history records."""
    if not user.is_active:
        raise errors.AccountInactive()
    order = Order.objects.select_for_update().filter(user=user, pk=order_id).first()
    if order is None:
        raise errors.NotFound()
    if order.operation != Operation.BUY_WITH_FIAT or order.payment_method != PaymentType.BANK:
        raise PaymentProofNotRequired()
    if order.proof_id is not None or order.status != S.PAYMENT_WAITING:
        raise PaymentAlreadyConfirmed()
    stored = stored_file_create(owner=user, upload=upload, field="file", purpose="payment_proof", allow_pdf=True)
    order.proof = stored
    order.proof_uploaded_at = timezone.now()
    order.save(update_fields=["proof", "proof_uploaded_at"])
    return order_transition(
        order_id=order.pk,
        to_status=S.PROCESSING_PAYMENT,
        actor=Actor.USER,
        actor_user=user,
        reason=f"proof of payment uploaded{' through the payment link' if via_payment_link else ''}",
    )
