"""Prices: which operation a (kind, from, to) pair is, its rate with commission, and the amounts.

`price_get` is the one entry point; the price endpoints call it, and quotes call it to fix the price they
offer. All arithmetic is Decimal in a 60-digit context; amounts are quantized to their asset's decimals and
every rounding is in the house's favour (docs/decisions.md, "Markets and pricing"):

- what the user receives (`amounts.to` from a `from_amount`) is rounded down;
- what the user pays (`amounts.from` from a `to_amount`) is rounded up;
- commissions are what is left: commission + net = gross exactly, in each asset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Context, Decimal, localcontext

from ccpro import errors
from ccpro.api.validation import laravel_message

from .exceptions import BothAmountsGiven, OperationUnavailable
from .models import RATE_DEPENDENT_OPERATIONS, Operation
from .selectors import AssetInfo, MarketConfig, OperationInfo, market_for_user, rate_price

CONTEXT = Context(prec=60)
HUNDRED = Decimal(100)
KINDS = ("buy", "sell", "withdraw", "withdraw-ico")
PAYMENT_TYPES = ("bank", "card")
# Plain decimal notation only: digits, an optional fraction, nothing else (no sign, no exponent).
AMOUNT_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)?$")
AMOUNT_MAX_LENGTH = 40


def unit(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def quantize_down(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(unit(decimals), rounding=ROUND_DOWN, context=CONTEXT)


def quantize_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(unit(decimals), rounding=ROUND_UP, context=CONTEXT)


@dataclass(frozen=True)
class Price:
    operation: str
    from_asset: AssetInfo
    to_asset: AssetInfo
    rate_raw: Decimal
    rate: Decimal
    amount_from: Decimal
    amount_to: Decimal
    commission_from: Decimal
    commission_to: Decimal
    commission_percent: Decimal
    discount_percent: Decimal
    payment_processor: str | None
    payment_fee: Decimal | None
    payment_fee_on_top: bool | None
    config: OperationInfo
    platform_id: str


def amount_parse(raw, *, field: str, decimals: int) -> Decimal:
    """A query amount as an exact Decimal, or 422 in the reference's format."""

    def invalid(template: str):
        return errors.InvalidInput(errors={field: [laravel_message(field, template)]})

    text = raw if isinstance(raw, str) else ""
    if len(text) > AMOUNT_MAX_LENGTH:
        raise invalid(f"The {{attr}} may not be greater than {AMOUNT_MAX_LENGTH} characters.")
    if text.startswith("-") and AMOUNT_PATTERN.match(text[1:]):
        raise invalid("The {attr} must be greater than 0.")
    if not AMOUNT_PATTERN.match(text):
        raise invalid("The {attr} must be a number.")
    value = Decimal(text)
    if value <= 0:
        raise invalid("The {attr} must be greater than 0.")
    if value != quantize_down(value, decimals):
        raise invalid(f"The {{attr}} may not have more than {decimals} decimal places.")
    return quantize_down(value, decimals)


def operation_resolve(config: MarketConfig, *, kind: str, from_symbol: str, to_symbol: str):
    """(operation, crypto asset configured, fiat or None) for a price path, or OperationUnavailable."""
    assets = config.assets
    src, dst = assets.get(str(from_symbol).upper()), assets.get(str(to_symbol).upper())
    if kind not in KINDS or src is None or dst is None:
        raise OperationUnavailable()
    if kind == "buy" and not dst.is_fiat and src.symbol != dst.symbol:
        return (Operation.BUY_WITH_FIAT if src.is_fiat else Operation.BUY_WITH_CRYPTO), src, dst, dst
    if kind == "sell" and not src.is_fiat and src.symbol != dst.symbol:
        return (Operation.SELL_TO_FIAT if dst.is_fiat else Operation.SELL_TO_CRYPTO), src, dst, src
    if kind == "withdraw" and src.symbol == dst.symbol and not src.is_fiat:
        return Operation.WITHDRAW, src, dst, src
    if kind == "withdraw-ico" and src.symbol == dst.symbol and not src.is_fiat:
        return Operation.WITHDRAW_ICO, src, dst, src
    raise OperationUnavailable()


def price_get(
    *,
    user,
    kind: str,
    from_symbol: str,
    to_symbol: str,
    from_amount: str | None = None,
    to_amount: str | None = None,
    payment_type: str | None = None,
    now: int | None = None,
    reads: tuple | None = None,
) -> Price:
    """Price one operation for the user on their platform.

    `kind` is the path word (buy, sell, withdraw, withdraw-ico); amounts are the raw query strings (validated
    here); with neither amount the price of one unit of `from` is given. Raises BothAmountsGiven (403),
    OperationUnavailable (405: not offered, disabled, no fresh rate, payment method not offered) and
    InvalidInput (422). `reads`: what `market_for_user(user=user)` returns, when the caller read it already
    (quote create reads it with the configuration version of its catalogue, in the same round trip).
    """
    if from_amount is not None and to_amount is not None:
        raise BothAmountsGiven()
    config, market, current = reads if reads is not None else market_for_user(user=user)
    operation, src, dst, crypto = operation_resolve(config, kind=kind, from_symbol=from_symbol, to_symbol=to_symbol)
    fiat = src if src.is_fiat else dst if dst.is_fiat else None
    op = config.operation(asset=crypto.symbol, operation=operation, fiat=fiat.symbol if fiat else None)
    if op is None or not op.status:
        raise OperationUnavailable()
    if payment_type is not None and payment_type not in PAYMENT_TYPES:
        message = laravel_message("payment_type", "The selected {attr} is invalid.")
        raise errors.InvalidInput(errors={"payment_type": [message]})

    given_to = to_amount is not None
    if given_to:
        amount = amount_parse(to_amount, field="to_amount", decimals=dst.decimals)
    elif from_amount is not None:
        amount = amount_parse(from_amount, field="from_amount", decimals=src.decimals)
    else:
        amount = quantize_down(Decimal(1), src.decimals)

    discount = market.discount_percent
    with localcontext(CONTEXT):
        percent = op.commission_percent * (HUNDRED - discount) / HUNDRED
        if operation in RATE_DEPENDENT_OPERATIONS:
            price_from = rate_price(src.symbol, max_age_seconds=config.max_age_seconds, now=now, current=current)
            price_to = rate_price(dst.symbol, max_age_seconds=config.max_age_seconds, now=now, current=current)
            amounts = _convert(operation, src, dst, price_from, price_to, percent, amount, given_to)
        else:
            # Withdrawals move the asset itself: the commission is a share of it; the rate (the asset's EUR
            # price, last known) is only informative.
            last = current.get(src.symbol)
            amounts = _withdraw(src, last[0] if last else Decimal(0), percent, amount, given_to)
    rate_raw, rate, amount_from, amount_to, commission_from, commission_to = amounts

    processor = fee = fee_on_top = None
    if payment_type is not None and fiat is not None and operation in (Operation.BUY_WITH_FIAT, Operation.SELL_TO_FIAT):
        method = config.payment_method(kind=payment_type, fiat=fiat.symbol)
        if method is None or not method.status:
            raise OperationUnavailable()
        fiat_amount = amount_from if src.is_fiat else amount_to
        with localcontext(CONTEXT):
            fee = quantize_up(fiat_amount * method.fee_percent / HUNDRED + method.fee_fixed, fiat.decimals)
        processor, fee_on_top = method.name, method.fee_on_top

    return Price(
        operation=operation,
        from_asset=src,
        to_asset=dst,
        rate_raw=rate_raw,
        rate=rate,
        amount_from=amount_from,
        amount_to=amount_to,
        commission_from=commission_from,
        commission_to=commission_to,
        commission_percent=op.commission_percent,
        discount_percent=discount,
        payment_processor=processor,
        payment_fee=fee,
        payment_fee_on_top=fee_on_top,
        config=op,
        platform_id=market.platform_id,
    )


RATE_DECIMALS = 18


def _convert(operation, src, dst, price_from, price_to, percent, amount, given_to):
    """Buy: the rate is `from` units per `to` unit, raised by the commission. Sell: `to` units per `from`
    unit, lowered by it. Returns (rate_raw, rate, from, to, commission_from, commission_to)."""
    df, dt = src.decimals, dst.decimals
    buying = operation in (Operation.BUY_WITH_FIAT, Operation.BUY_WITH_CRYPTO)
    if buying:
        raw = quantize_down(price_to / price_from, RATE_DECIMALS)
        if raw <= 0:
            raise OperationUnavailable()
        rate = quantize_up(raw * (HUNDRED + percent) / HUNDRED, RATE_DECIMALS)
        if given_to:
            amount_to = amount
            amount_from = quantize_up(amount_to * rate, df)
        else:
            amount_from = amount
            amount_to = quantize_down(amount_from / rate, dt)
        gross_to = quantize_down(amount_from / raw, dt)
        net_from = quantize_down(amount_to * raw, df)
    else:
        raw = quantize_down(price_from / price_to, RATE_DECIMALS)
        rate = quantize_down(raw * (HUNDRED - percent) / HUNDRED, RATE_DECIMALS)
        if raw <= 0 or rate <= 0:
            raise OperationUnavailable()
        if given_to:
            amount_to = amount
            amount_from = quantize_up(amount_to / rate, df)
        else:
            amount_from = amount
            amount_to = quantize_down(amount_from * rate, dt)
        gross_to = quantize_down(amount_from * raw, dt)
        net_from = quantize_down(amount_to / raw, df)
    # Both are ≥ 0 by construction: the user never gets more than the raw rate gives (docs/decisions.md).
    commission_to = gross_to - amount_to
    commission_from = amount_from - net_from
    return raw, rate, amount_from, amount_to, commission_from, commission_to


def _withdraw(asset, price, percent, amount, given_to):
    d = asset.decimals
    if given_to:
        amount_to = amount
        amount_from = quantize_up(amount_to * HUNDRED / (HUNDRED - percent), d)
        commission = amount_from - amount_to
    else:
        amount_from = amount
        commission = quantize_up(amount_from * percent / HUNDRED, d)
        amount_to = amount_from - commission
    rate = quantize_down(price, RATE_DECIMALS)
    return rate, rate, amount_from, amount_to, commission, commission
