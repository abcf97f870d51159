"""The one place later issues register what the quality gates need to know about their endpoints.

- `NESTED_IDS`: for every URL keyword under `api/v1/user/<user>/…` besides `user` (`bank`, `card`, `wallet`,
  `order`, `quote`, `transfer`, `notification_id`, `checkout`, …), a function creating such an object for a
  user and returning the value that goes into the path, plus the statuses a caller gets for *another* user's
  object through their own path. The ownership matrix (test_ownership.py) fails for an unregistered keyword.
- `PATH_VALUES`: URL keywords that name no object of the user's but a public thing (an asset symbol, a
  period): the value the gates put in the path. No "another user's" check applies to them.
- `API_VIEW_BASES`: the base classes an API view under /api/v1/ may derive from (the platform issue adds its
  JWT-authenticated base here, with a line saying why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ccpro.api.views import ApiView, PublicApiView
from platforms.auth import PlatformApiView

# Partner platforms (issue 10): platform/{platform}/… endpoints authenticate with the platform's own JWT
# (header `token`), not a user's bearer token, and resolve `{platform}` to the signer centrally.
API_VIEW_BASES: tuple[type, ...] = (ApiView, PublicApiView, PlatformApiView)

NOT_FOUND = {"message": "No query results."}
NOT_THE_CALLER = {"message": "This action is unauthorized."}


@dataclass(frozen=True)
class NestedId:
    """How to make an object of `user` that a path keyword names, and what another user gets for it."""

    create: Callable  # (user) -> str: the path value naming a new object of that user
    # Statuses and bodies the owner of the path gets when the keyword names someone else's object.
    foreign_statuses: frozenset[int] = frozenset({404, 409})
    foreign_bodies: tuple[dict, ...] = field(default=(NOT_FOUND, NOT_THE_CALLER))


NESTED_IDS: dict[str, NestedId] = {}

PATH_VALUES: dict[str, str] = {
    # rates and currencies (trading): public market data, not the user's objects
    "asset": "ETH",
    "period": "day",
    "from_symbol": "EUR",
    "to_symbol": "ETH",
}


def register_nested_id(keyword: str, create: Callable, **options) -> None:
    NESTED_IDS[keyword] = NestedId(create=create, **options)


# --- accounts ----------------------------------------------------------------------------------


def _access_token(user) -> str:
    from accounts.services import access_token_create

    token, _raw = access_token_create(user=user)
    return token.masked


# securities/invalidate/{token}: a token that is not one of the caller's live tokens is 403
# "This action is unauthorized." (docs/decisions.md, accounts).
register_nested_id(
    "token",
    _access_token,
    foreign_statuses=frozenset({403}),
    foreign_bodies=({"message": "This action is unauthorized."},),
)


# --- banks, cards, wallets (issue 5) -----------------------------------------------------------


def iban_for(user, n: int = 0) -> str:
    """A checksum-valid German IBAN unique to (user, n): IBANs are unique across live banks."""
    bban = "37040044" + str((user.pk.int + n) % 10**10).zfill(10)
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    return f"DE{check:02d}{bban}"


def eth_address_for(user, n: int = 0) -> str:
    """An EIP-55 address unique to (user, n): withdrawal addresses are unique across live wallets."""
    import hashlib

    from eth_utils import to_checksum_address

    return to_checksum_address("0x" + hashlib.sha256(f"{user.pk}:{n}".encode()).hexdigest()[:40])


def make_bank(user, n: int = 0):
    from ..instruments.conftest import make_bank as create

    return create(user, iban=iban_for(user, n))


def make_card(user, n: int = 0):
    from ..instruments.conftest import make_card as create

    return create(user, alias=f"card{n}")


def make_wallet(user, n: int = 0):
    from accounts.models import Wallet
    from trading.models import Asset

    return Wallet.objects.create(
        user=user, asset=Asset.objects.get(symbol="ETH"), address=eth_address_for(user, n), alias=f"wallet{n}"
    )


def _bank(user) -> str:
    return str(make_bank(user).pk)


def _card(user) -> str:
    return str(make_card(user).pk)


def _wallet(user) -> str:
    return str(make_wallet(user).pk)


register_nested_id("bank", _bank)
register_nested_id("card", _card)
register_nested_id("wallet", _wallet)


# --- notifications ------------------------------------------------------------------------------


def make_notification(user):
    from notifications.services import notification_create

    meta = {"id": "e8dfeb1f-b69f-441c-bcee-027ed11f417a", "publicId": "YN3DIS2F"}
    return notification_create(user=user, event="order_approved", meta=meta, context={})


def _notification(user) -> str:
    return str(make_notification(user).pk)


register_nested_id("notification_id", _notification)


# --- transfers (issue 9) -----------------------------------------------------------------------


def fund_eth(user, amount: str = "2"):
    """Credit the user's available ETH as a deposit would (through the ledger)."""
    import uuid
    from decimal import Decimal

    from trading.ledger import customer_account, ledger_post, system_account
    from trading.ledger_models import LedgerAccount
    from trading.models import Asset

    eth = Asset.objects.get(symbol="ETH")
    ledger_post(
        idempotency_key=f"gate-fund:{uuid.uuid4()}",
        kind="deposit",
        legs=[
            (system_account(asset=eth, kind=LedgerAccount.Kind.OMNIBUS), -Decimal(amount)),
            (customer_account(user=user, asset=eth), Decimal(amount)),
        ],
    )


def make_transfer(user):
    """A pending 0.1 ETH `send` of the user's to a new user, both at KYC level 1 (a verified phone), whose limits
    allow it (also used outside pytest, by the schema fuzzing's seeding)."""
    from trading.transfer_demo import _phone_verified
    from trading.transfers import transfer_create

    from ..factories import UserFactory

    counterparty = UserFactory()
    for party, phone in ((user, "40722000001"), (counterparty, "40722000002")):
        _phone_verified(party, phone)
    fund_eth(user)
    return transfer_create(
        user=user, action="send", amount="0.1", asset_type="coin", symbol="ETH", counterparty=counterparty.email
    )


def _transfer(user) -> str:
    return str(make_transfer(user).pk)


register_nested_id("transfer", _transfer)


# --- quotes and orders (issue 8) -------------------------------------------------------------------


def make_quote(user, **fields):
    """An available buy_with_fiat quote of the user's, written directly (no market needed)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from trading.models import Asset
    from trading.order_models import Quote

    eth, eur = Asset.objects.get(symbol="ETH"), Asset.objects.get(symbol="EUR")
    values = {
        "user": user,
        "type": "coin",
        "operation": "buy_with_fiat",
        "asset": eth,
        "from_asset": eur,
        "to_asset": eth,
        "from_amount": Decimal("80.08"),
        "to_amount": Decimal("0.5"),
        "rate": Decimal("160.16"),
        "rate_raw": Decimal("160.16"),
        "commission_percent": Decimal(0),
        "commission_from": Decimal(0),
        "commission_to": Decimal(0),
        "payment_type": "bank",
        "life_seconds": 300,
        "expires_at": timezone.now() + timedelta(seconds=300),
        **fields,
    }
    return Quote.objects.create(**values)


def make_order(user, **fields):
    """A deposit order of the user's in PROCESSING_PAYMENT, written directly."""
    import uuid
    from decimal import Decimal

    from trading.models import Asset
    from trading.order_models import Order

    eth = Asset.objects.get(symbol="ETH")
    values = {
        "user": user,
        "status": "PROCESSING_PAYMENT",
        "type": "coin",
        "operation": "deposit",
        "asset": eth,
        "to_asset": eth,
        "to_amount": Decimal("1"),
        "tx_id": f"0x{uuid.uuid4().hex}",
        "tx_chain": eth,
        **fields,
    }
    return Order.objects.create(**values)


register_nested_id("quote", lambda user: str(make_quote(user).pk))
register_nested_id("order", lambda user: str(make_order(user).pk))


# --- checkouts (issue 10, checkout widget) -------------------------------------------------------


def make_checkout(user, **fields):
    """An open checkout of the user's through the house platform, written directly."""
    import uuid
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from platforms.checkout_models import Checkout
    from platforms.services import default_platform

    values = {
        "platform": default_platform(),
        "user": user,
        "request_id": str(uuid.uuid4()),
        "operation": "buy_with_fiat",
        "type": "coin",
        "symbol": "ETH",
        "fiat": "EUR",
        "amount": Decimal("0.5"),
        "payment_type": "bank",
        "redirect_url": "https://shop.example/done",
        "expired_at": timezone.now() + timedelta(hours=1),
        **fields,
    }
    return Checkout.objects.create(**values)


register_nested_id("checkout", lambda user: str(make_checkout(user).pk))
