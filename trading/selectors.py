"""Reads about assets and a user's money. The ledger issue replaces the body of `user_holds_balance`."""

from .models import Asset


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
