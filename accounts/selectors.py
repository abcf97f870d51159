from collections.abc import Callable
from functools import lru_cache

import phonenumbers
import pycountry
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ccpro import errors

from .models import AccessToken, Bank, Card, InstrumentStatus, SecurityEvent, User, Wallet

SECURITY_LOG_LIMIT = 100


def security_event_list(*, user: User):
    """The newest entries of the user's security log."""
    return SecurityEvent.objects.filter(user=user).order_by("-created_at", "-id")[:SECURITY_LOG_LIMIT]


def access_token_list(*, user: User):
    """The user's live tokens, newest first."""
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-created_at"
    )


@lru_cache(maxsize=1)
def country_list() -> tuple[dict, ...]:
    """ISO 3166-1 countries (pycountry) with their international dialling code (phonenumbers), by name."""
    countries = []
    for country in pycountry.countries:
        countries.append(
            {
                "code": country.alpha_2,
                "name": getattr(country, "common_name", None) or country.name,
                "phoneCode": phonenumbers.country_code_for_region(country.alpha_2),
            }
        )
    return tuple(sorted(countries, key=lambda c: c["name"]))


def country_codes() -> frozenset[str]:
    return frozenset(c["code"] for c in country_list())


# --- Banks, cards and wallets (issue 5) ----------------------------------------------------------
# Always scoped to the owner and to instruments not deleted; another user's id is simply not found.


def _status_filter(qs, status: str | None):
    return qs.filter(status=status.upper()) if status else qs


def bank_list(*, user: User, status: str | None = None, currency: str | None = None):
    qs = _status_filter(Bank.objects.filter(user=user, deleted_at__isnull=True), status)
    if currency:
        qs = qs.filter(currency=currency.upper())
    return qs.order_by("-created_at", "id")


def bank_get(*, user: User, bank_id) -> Bank:
    bank = Bank.objects.filter(user=user, pk=bank_id, deleted_at__isnull=True).first()
    if bank is None:
        raise errors.NotFound()
    return bank


def card_list(*, user: User, status: str | None = None):
    return _status_filter(Card.objects.filter(user=user, deleted_at__isnull=True), status).order_by("-created_at", "id")


def card_get(*, user: User, card_id) -> Card:
    card = Card.objects.filter(user=user, pk=card_id, deleted_at__isnull=True).first()
    if card is None:
        raise errors.NotFound()
    return card


def wallet_list(*, user: User, status: str | None = None, coin: str | None = None):
    qs = _status_filter(Wallet.objects.filter(user=user, deleted_at__isnull=True), status)
    if coin:
        qs = qs.filter(asset__symbol=coin.upper())
    return qs.select_related("asset").order_by("-created_at", "id")


def wallet_get(*, user: User, wallet_id) -> Wallet:
    wallet = Wallet.objects.select_related("asset").filter(user=user, pk=wallet_id, deleted_at__isnull=True).first()
    if wallet is None:
        raise errors.NotFound()
    return wallet


def instrument_usable_kinds(*, user: User) -> frozenset[str]:
    """Which of `wallet`, `card`, `bank` the user has a confirmed one of, in one query."""
    usable = {
        kind: Exists(
            model.objects.filter(user=OuterRef("pk"), deleted_at__isnull=True, status=InstrumentStatus.CONFIRMED)
        )
        for kind, model in (("wallet", Wallet), ("card", Card), ("bank", Bank))
    }
    row = User.objects.filter(pk=user.pk).annotate(**usable).values(*usable).first() or {}
    return frozenset(kind for kind, present in row.items() if present)


def instrument_usable_exists(*, user: User, kind: str) -> bool:
    """Whether the user has a confirmed `wallet`, `card` or `bank` (permanent `*_unavailable` notifications)."""
    model = {"wallet": Wallet, "card": Card, "bank": Bank}[kind]
    return model.objects.filter(user=user, deleted_at__isnull=True, status=InstrumentStatus.CONFIRMED).exists()


# Whether a bank or card has been used by a quote or an order. No quotes or orders exist yet: the quotes
# and orders issue (ledger, quotes and orders) registers its check here from its AppConfig.ready(), e.g.
# `instrument_usage_check_register(lambda instrument: Order.objects.filter(bank=instrument).exists() ...)`,
# so accounts never imports trading's models. Until then no instrument is used.
_usage_checks: list[Callable[[Bank | Card], bool]] = []


def instrument_usage_check_register(check: Callable[[Bank | Card], bool]) -> None:
    if check not in _usage_checks:
        _usage_checks.append(check)


def instrument_usage_check_unregister(check: Callable[[Bank | Card], bool]) -> None:
    if check in _usage_checks:
        _usage_checks.remove(check)


def instrument_is_used(*, instrument: Bank | Card) -> bool:
    return any(check(instrument) for check in _usage_checks)


def user_self_delete_pending(*, user: User) -> bool:
    """Whether the user asked to close the account and the grace period is running."""
    return user.self_deleted_at is not None and user.closed_at is None
