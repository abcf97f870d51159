"""What each order movement writes to the ledger (docs/ledger.md is the prose of this file).

Three events move money: `reserve` (the order is funded from the user's balance: available → pending),
`release` (a funded order is rejected: pending → available) and `approve` (the order is executed). Postings use
the idempotency key `order:<id>:<event>`, so an event can never be booked twice for one order.
"""

from .ledger import Kind, customer_account, ledger_post, revenue_account, system_account
from .models import Operation

# Orders paid from what the user holds at CCPro: their `from` amount is reserved when they are confirmed.
BALANCE_FUNDED = frozenset(
    {
        Operation.SELL_TO_FIAT,
        Operation.SELL_TO_CRYPTO,
        Operation.BUY_WITH_CRYPTO,
        Operation.WITHDRAW,
        Operation.WITHDRAW_ICO,
    }
)
# Orders filled from the house's position: the clearing account of each asset takes the other side.
EXCHANGES = frozenset(
    {Operation.BUY_WITH_FIAT, Operation.BUY_WITH_CRYPTO, Operation.SELL_TO_FIAT, Operation.SELL_TO_CRYPTO}
)
WITHDRAWALS = frozenset({Operation.WITHDRAW, Operation.WITHDRAW_ICO})


def _post(order, event: str, legs):
    return ledger_post(
        idempotency_key=f"order:{order.pk}:{event}",
        kind=f"{order.operation}:{event}",
        legs=legs,
        reference=f"order:{order.pk}",
        memo=f"order {order.public_id}",
    )


def order_reserve(order):
    """available(from) → pending(from); raises InsufficientFunds when the user does not hold enough."""
    amount = order.from_amount
    return _post(
        order,
        "reserve",
        [
            (customer_account(user=order.user, asset=order.from_asset, kind=Kind.AVAILABLE), -amount),
            (customer_account(user=order.user, asset=order.from_asset, kind=Kind.PENDING), amount),
        ],
    )


def order_release(order):
    """pending(from) → available(from): a funded order was rejected."""
    amount = order.from_amount
    return _post(
        order,
        "release",
        [
            (customer_account(user=order.user, asset=order.from_asset, kind=Kind.PENDING), -amount),
            (customer_account(user=order.user, asset=order.from_asset, kind=Kind.AVAILABLE), amount),
        ],
    )


def _source(order):
    """Who gives the `from` amount when the order is executed."""
    if order.operation == Operation.BUY_WITH_FIAT:
        return system_account(asset=order.from_asset, kind=Kind.EXTERNAL)  # the user's bank or card payment
    return customer_account(user=order.user, asset=order.from_asset, kind=Kind.PENDING)  # reserved before


def _sink(order):
    """Who receives the `to` amount."""
    if order.operation == Operation.SELL_TO_FIAT:
        return system_account(asset=order.to_asset, kind=Kind.EXTERNAL)  # paid out to the user's bank
    if order.operation in WITHDRAWALS:
        return system_account(asset=order.to_asset, kind=Kind.OMNIBUS)  # leaves the custody on chain
    return customer_account(user=order.user, asset=order.to_asset, kind=Kind.AVAILABLE)


def order_approve_legs(order) -> list:
    if order.operation == Operation.DEPOSIT:
        asset, amount = order.to_asset, order.to_amount
        return [
            (system_account(asset=asset, kind=Kind.OMNIBUS), -amount),
            (customer_account(user=order.user, asset=asset, kind=Kind.AVAILABLE), amount),
        ]
    commission = order.commission_amount
    legs = [(_source(order), -order.from_amount)]
    if commission:
        legs.append((revenue_account(asset=order.from_asset, spread_key=str(order.pk)), commission))
    if order.operation in EXCHANGES:
        net_from = order.from_amount - commission
        if net_from:
            legs.append((system_account(asset=order.from_asset, kind=Kind.CLEARING), net_from))
        legs.append((system_account(asset=order.to_asset, kind=Kind.CLEARING), -order.to_amount))
        legs.append((_sink(order), order.to_amount))
    else:  # withdrawals move the asset itself: what is not commission leaves
        if order.from_amount - commission != order.to_amount:
            raise ValueError(f"withdrawal {order.pk}: from - commission != to")
        legs.append((_sink(order), order.to_amount))
    return legs


def order_approve(order):
    return _post(order, "approve", order_approve_legs(order))
