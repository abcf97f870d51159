"""Reads about transfers, always scoped to a party of them."""

from django.db.models import Q, QuerySet

from ccpro import errors

from .transfer_models import Transfer

SCOPES = ("all", "by", "from", "to")


def _base() -> QuerySet:
    return Transfer.objects.select_related("asset", "by_user", "from_user", "to_user", "platform")


def transfer_list(*, user, scope: str = "all", status: str | None = None, asset=None) -> QuerySet:
    """The user's transfers, newest first: `all` they are party to, `by` they created, `from` they pay,
    `to` they are paid; optionally of one status and one asset."""
    if scope == "all":
        qs = _base().filter(Q(from_user=user) | Q(to_user=user))
    elif scope == "by":
        qs = _base().filter(by_user=user)
    elif scope == "from":
        qs = _base().filter(from_user=user)
    elif scope == "to":
        qs = _base().filter(to_user=user)
    else:
        raise ValueError(f"unknown scope {scope}")
    if status:
        qs = qs.filter(status=status)
    if asset is not None:
        qs = qs.filter(asset=asset)
    return qs.order_by("-created_at", "-pk")


def transfer_get(*, user, transfer_id) -> Transfer:
    """One transfer the user is party to; anybody else's is simply not found."""
    transfer = _base().filter(pk=transfer_id).filter(Q(from_user=user) | Q(to_user=user)).first()
    if transfer is None:
        raise errors.NotFound()
    return transfer


def platform_transfer_list(*, platform, status: str | None = None, asset=None) -> QuerySet:
    """Transfers created by the platform's users (those linked to it), newest first."""
    qs = _base().filter(by_user__platform_links__platform=platform)
    if status:
        qs = qs.filter(status=status)
    if asset is not None:
        qs = qs.filter(asset=asset)
    return qs.order_by("-created_at", "-pk")
