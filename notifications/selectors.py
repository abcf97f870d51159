"""Reads of notifications, always scoped to the owner."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.selectors import instrument_usable_kinds, user_self_delete_pending
from ccpro import errors
from kyc.selectors import phone_unverified as kyc_phone_unverified

from .models import Notification

READ = "read"
UNREAD = "unread"


def notification_list(*, user, type: str | None = None, notification_id=None) -> QuerySet[Notification] | list:
    """The user's inbox, newest first; `type` read|unread filters it. With `notification_id`, a list of just
    that one, fetched in one query (NotFound when it is not the user's; an empty list when `type` excludes it)."""
    if notification_id is not None:
        notification = notification_get(user=user, notification_id=notification_id)
        wanted = type is None or (notification.read_at is not None) == (type == READ)
        return [notification] if wanted else []
    notifications = Notification.objects.filter(user=user)
    if type == READ:
        notifications = notifications.filter(read_at__isnull=False)
    elif type == UNREAD:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_get(*, user, notification_id) -> Notification:
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise errors.NotFound()
    return notification


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- Permanent notifications ------------------------------------------------------------------------
# Computed on request from the user's state; each condition is asked of the app that owns it.


def _phone_unverified(user) -> bool:
    # Phone verification belongs to KYC (`kyc/phone/add|verify`): a number on file whose code was not confirmed.
    return kyc_phone_unverified(user=user)


def _order_flags(user) -> dict[str, bool]:
    # The two order conditions share one query per request (trading.order_selectors).
    if not hasattr(user, "_order_flags"):
        from trading.order_selectors import user_order_flags

        user._order_flags = user_order_flags(user=user)
    return user._order_flags


def _quote_available(user) -> bool:
    return _order_flags(user)["quote_available"]


def _order_payment_waiting(user) -> bool:
    return _order_flags(user)["order_payment_waiting"]


def _usable_instruments(user) -> frozenset[str]:
    # The three instrument conditions share one query per request.
    if not hasattr(user, "_usable_instruments"):
        user._usable_instruments = instrument_usable_kinds(user=user)
    return user._usable_instruments


def _wallet_unavailable(user) -> bool:
    return "wallet" not in _usable_instruments(user)


def _card_unavailable(user) -> bool:
    return "card" not in _usable_instruments(user)


def _bank_unavailable(user) -> bool:
    return "bank" not in _usable_instruments(user)


@dataclass(frozen=True)
class PermanentCondition:
    category: str
    code: str
    holds: object  # callable(user) -> bool
    message: dict[str, str]


PERMANENT_CONDITIONS: tuple[PermanentCondition, ...] = (
    PermanentCondition(
        "user",
        "self_deleted_at",
        lambda user: user_self_delete_pending(user=user),
        {
            "en": "Your account is in pending self deleting.",
            "ro": "Contul tău este în curs de ștergere la cererea ta.",
        },
    ),
    PermanentCondition(
        "kyc",
        "phone_unverified",
        _phone_unverified,
        {"en": "Your phone number is not verified.", "ro": "Numărul tău de telefon nu este verificat."},
    ),
    PermanentCondition(
        "quote",
        "quote_available",
        _quote_available,
        {"en": "You have available quotes.", "ro": "Ai oferte disponibile."},
    ),
    PermanentCondition(
        "order",
        "order_payment_waiting",
        _order_payment_waiting,
        {
            "en": "You have orders with pending payment waiting.",
            "ro": "Ai comenzi care așteaptă plata.",
        },
    ),
    PermanentCondition(
        "wallet",
        "wallet_unavailable",
        _wallet_unavailable,
        {
            "en": "No crypto wallet available for use.",
            "ro": "Nu ai niciun portofel crypto disponibil.",
        },
    ),
    PermanentCondition(
        "card",
        "card_unavailable",
        _card_unavailable,
        {"en": "No credit card available for use.", "ro": "Nu ai niciun card disponibil."},
    ),
    PermanentCondition(
        "bank",
        "bank_unavailable",
        _bank_unavailable,
        {"en": "No bank account available for use.", "ro": "Nu ai niciun cont bancar disponibil."},
    ),
)

UNREAD_MESSAGES = {
    "en": ("You have 1 unread notification.", "You have {count} unread notifications."),
    "ro": ("Ai o notificare necitită.", "Ai {count} notificări necitite."),
}


def permanent_notification_list(*, user) -> tuple[list[dict], int]:
    """The conditions that hold for the user now, in the reference's order, and the unread count (meta.total)."""
    language = user.language if user.language in UNREAD_MESSAGES else "en"
    entries = []
    unread = notification_unread_count(user=user)
    if unread:
        one, many = UNREAD_MESSAGES[language]
        entries.append(
            {
                "type": "permanently",
                "category": "notification",
                "code": "notifications_unread",
                "message": one if unread == 1 else many.format(count=unread),
            }
        )
    for condition in PERMANENT_CONDITIONS:
        if condition.holds(user):
            entries.append(
                {
                    "type": "permanently",
                    "category": condition.category,
                    "code": condition.code,
                    "message": condition.message[language],
                }
            )
    return entries, unread
