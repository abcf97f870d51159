from decimal import Decimal

from django.db.models import Q

from .ledger_models import LedgerAccount, LedgerEntry


def user_holds_funds(*, user) -> bool:
    return LedgerAccount.objects.filter(user=user, kind__in=LedgerAccount.CUSTOMER_KINDS, balance__gt=0).exists()


def user_balances(*, user) -> dict[int, dict[str, Decimal]]:
    """{asset_id: {"available": Decimal, "pending": Decimal}} for every asset the user has an account in."""
    balances: dict[int, dict[str, Decimal]] = {}
    for asset_id, kind, balance in LedgerAccount.objects.filter(user=user).values_list("asset_id", "kind", "balance"):
        balances.setdefault(asset_id, {"available": Decimal(0), "pending": Decimal(0)})[kind] = balance
    return balances


def ledger_entries_for_user(*, user):
    return (
        LedgerEntry.objects.filter(Q(account__user=user))
        .select_related("transaction", "asset", "account")
        .order_by("-id")
    )
