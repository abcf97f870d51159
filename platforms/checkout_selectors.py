"""Reads of checkouts: always scoped to their user or their platform; the checkout as the reference shows it."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from .checkout_models import Checkout

LISTED_STATUSES = ("created", "processing", "finished")


def _unix(value) -> int | None:
    return int(value.timestamp()) if value is not None else None


def _user_body(user) -> dict:
    return {
        "id": str(user.pk),
        "isActive": user.is_active,
        "tradeStatus": user.trade_status,
        "email": user.email,
        "options": {"language": user.language, "theme": user.theme},
        "meta": {"source": user.source, "passwordSet": user.password_set},
        "selfDeletedAt": _unix(user.self_deleted_at),
        "createdAt": _unix(user.created_at),
    }


def checkout_body(checkout: Checkout, *, variant: str = "user_list") -> dict:
    """A checkout in the reference's shape. `variant`: `user_list` (Checkout Index: with redirect/ping URLs and
    externalPlatform), `user_show` (Checkout Show: without the two URLs), `platform` (Platform Checkouts: the
    URLs, no externalPlatform, as the platform knows itself)."""
    platform = checkout.platform
    body = {
        "id": str(checkout.pk),
        "publicId": checkout.public_id,
        "status": checkout.status,
        "step": checkout.step,
        "attemptsQuote": {"count": checkout.attempts_count, "limit": checkout.attempts_limit},
        "requestId": checkout.request_id,
        "paymentType": checkout.payment_type,
        "ip": checkout.ip,
        "url": checkout.url or None,
    }
    if variant != "user_show":
        body["redirectUrl"] = checkout.redirect_url or None
        body["pingUrl"] = checkout.ping_url or None
    body["user"] = _user_body(checkout.user)
    if variant != "platform":
        body["externalPlatform"] = {"code": platform.code, "name": platform.name, "url": platform.base_url or None}
    body["expiredAt"] = _unix(checkout.expired_at)
    body["createdAt"] = _unix(checkout.created_at)
    return body


def _base() -> QuerySet:
    return Checkout.objects.select_related("user", "platform").order_by("-created_at", "-id")


def checkout_list(*, user, filters: dict | None = None) -> QuerySet:
    """The user's checkouts, newest first; `status` filters."""
    filters = filters or {}
    checkouts = _base().filter(user=user)
    if filters.get("status"):
        checkouts = checkouts.filter(status=filters["status"])
    return checkouts


def checkout_get(*, user, checkout_id) -> Checkout | None:
    try:
        return _base().filter(user=user, pk=uuid.UUID(str(checkout_id))).first()
    except ValueError:
        return None


def platform_checkout_list(*, platform, filters: dict | None = None) -> QuerySet:
    """The platform's own checkouts, newest first; `status` and `from`/`to` (Unix seconds) filter."""
    from .selectors import _created_between

    filters = filters or {}
    checkouts = _base().filter(platform=platform)
    if filters.get("status"):
        checkouts = checkouts.filter(status=filters["status"])
    return _created_between(checkouts, created_from=filters.get("from"), created_to=filters.get("to"))


def checkout_for_session(*, public_id: str, allowed: list[str]) -> Checkout | None:
    """The checkout a widget page names, if this browser session opened it."""
    if public_id not in (allowed or []):
        return None
    return _base().select_related("quote", "order").filter(public_id=public_id).first()


def checkout_payment_methods(*, checkout: Checkout) -> list:
    """The user's confirmed banks (or cards) usable for the checkout's fiat."""
    from accounts.instruments_models import Bank, Card, InstrumentStatus

    if checkout.payment_type == "card":
        return list(Card.objects.filter(user=checkout.user, status=InstrumentStatus.CONFIRMED, deleted_at__isnull=True))
    return list(
        Bank.objects.filter(
            user=checkout.user,
            status=InstrumentStatus.CONFIRMED,
            deleted_at__isnull=True,
            currency=checkout.fiat,
        )
    )


def checkout_instruments(*, checkout: Checkout) -> list:
    """Every bank (in the checkout's fiat) or card of the user's, whatever its review status, newest first: the
    payment step shows them with their status (accounts' own list selectors)."""
    from accounts.selectors import bank_list, card_list

    if checkout.payment_type == "card":
        return list(card_list(user=checkout.user))
    return list(bank_list(user=checkout.user, currency=checkout.fiat))


def checkout_language(*, public_id: str) -> str:
    """The language a checkout's widget pages speak (`lang` of its entry URL)."""
    return Checkout.objects.filter(public_id=public_id).values_list("language", flat=True).first() or "en"
