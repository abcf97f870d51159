"""Posting to the ledger. The only code that writes ledger rows or balances; every money-moving service calls it
inside its own transaction, so the movement commits or rolls back with the state change that causes it."""

import zlib
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from ccpro import errors

from .ledger_models import REVENUE_SHARDS, LedgerAccount, LedgerEntry, LedgerTransaction
from .models import Asset

Kind = LedgerAccount.Kind


class InsufficientFunds(errors.ActionForbidden):
    default_message = "Insufficient funds."


class LedgerUnbalanced(Exception):
    """A programming error: a movement that does not balance never reaches the database."""


def customer_account(*, user, asset: Asset, kind: str = Kind.AVAILABLE) -> LedgerAccount:
    if kind not in LedgerAccount.CUSTOMER_KINDS:
        raise ValueError(f"{kind} is not a customer account kind")
    account, _ = LedgerAccount.objects.get_or_create(user=user, asset=asset, kind=kind)
    account.asset = asset  # ledger_post reads the asset's decimals: spare it a query per leg
    return account


def system_account(*, asset: Asset, kind: str, shard: int = 0) -> LedgerAccount:
    if kind in LedgerAccount.CUSTOMER_KINDS:
        raise ValueError(f"{kind} is a customer account kind")
    account, _ = LedgerAccount.objects.get_or_create(user=None, asset=asset, kind=kind, shard=shard)
    account.asset = asset
    return account


def revenue_account(*, asset: Asset, spread_key: str) -> LedgerAccount:
    """One of the asset's revenue shards, chosen by a stable hash so concurrent postings rarely share a row."""
    return system_account(asset=asset, kind=Kind.REVENUE, shard=zlib.crc32(spread_key.encode()) % REVENUE_SHARDS)


def _validate_legs(legs) -> dict[int, Decimal]:
    per_asset: dict[int, Decimal] = defaultdict(Decimal)
    per_account: dict[int, Decimal] = defaultdict(Decimal)
    for account, amount in legs:
        if not isinstance(amount, Decimal):
            raise TypeError(f"ledger amounts must be Decimal, got {type(amount).__name__}")
        if amount.is_zero():
            continue
        decimals = account.asset.decimals
        if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
            raise LedgerUnbalanced(f"{amount} has more than {decimals} decimals for {account.asset.symbol}")
        per_asset[account.asset_id] += amount
        per_account[account.pk] += amount
    if any(total != 0 for total in per_asset.values()):
        raise LedgerUnbalanced("ledger transaction does not sum to zero per asset")
    return {pk: delta for pk, delta in per_account.items() if delta != 0}


@transaction.atomic
def ledger_post(*, idempotency_key: str, kind: str, legs, reference: str = "", memo: str = "") -> LedgerTransaction:
    """Write one balanced movement: `legs` is a list of (LedgerAccount, signed Decimal amount).

    Posting an existing idempotency key again returns the transaction already written and changes nothing.
    Accounts are locked in primary-key order (no deadlocks between postings touching the same accounts);
    a customer account that would go negative raises InsufficientFunds (and the database refuses it anyway).
    """
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    deltas = _validate_legs(legs)
    locked = {
        account.pk: account
        for account in LedgerAccount.objects.select_for_update().filter(pk__in=sorted(deltas)).order_by("pk")
    }
    for pk, delta in deltas.items():
        account = locked[pk]
        if account.kind in LedgerAccount.CUSTOMER_KINDS and account.balance + delta < 0:
            raise InsufficientFunds()
    try:
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(
                idempotency_key=idempotency_key, kind=kind, reference=reference, memo=memo
            )
    except IntegrityError:
        # The same movement was committed concurrently while we waited for the locks.
        return LedgerTransaction.objects.get(idempotency_key=idempotency_key)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=posted, account_id=pk, asset_id=locked[pk].asset_id, amount=delta)
            for pk, delta in sorted(deltas.items())
        ]
    )
    for pk, delta in sorted(deltas.items()):
        LedgerAccount.objects.filter(pk=pk).update(balance=F("balance") + delta)
    return posted
