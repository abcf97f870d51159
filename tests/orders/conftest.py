"""Fixtures of the quotes/orders/deposits tests: a market with fresh rates and the default commissions, funded
users, confirmed instruments, and ledger_check run after every test."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.models import InstrumentStatus
from platforms.services import default_platform
from trading.ledger import Kind, customer_account, ledger_post, system_account
from trading.models import Asset
from trading.services import operations_enable_defaults

from ..instruments.conftest import ETH_ADDRESSES, IBAN_DE, make_bank, make_card
from ..trading.conftest import PRICES, set_rates

D = Decimal


@pytest.fixture(autouse=True)
def _ledger_stays_clean(request):
    """Every test ends with the ledger's invariants proven (zero sums, cached balances, nothing negative)."""
    yield
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("django_db")
    ):
        out, err = StringIO(), StringIO()
        call_command("ledger_check", "--no-progress", stdout=out, stderr=err)
        assert "OK" in out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _kyc_approval_gate_off(request, monkeypatch):
    """Most order tests approve orders of users at KYC level 0: the approval gate on `kycLevelRequired` is
    switched off except in tests using the `kyc_gate` fixture, which test it."""
    if "kyc_gate" not in request.fixturenames:
        monkeypatch.setattr("trading.orders._kyc_level_reached_check", lambda order: None)


@pytest.fixture
def kyc_gate():
    """Keep the KYC approval gate on for this test."""


@pytest.fixture
def market(db):
    """CCPRO offering every operation with its default commissions, and fresh rates."""
    platform = default_platform()
    operations_enable_defaults(platform=platform)
    set_rates(PRICES)
    cache.clear()
    return platform


def asset(symbol: str) -> Asset:
    return Asset.objects.get(symbol=symbol)


def fund(user, symbol: str, amount, key: str | None = None):
    """Credit a user's available balance as a confirmed deposit would."""
    a = asset(symbol)
    amount = D(str(amount))
    return ledger_post(
        idempotency_key=key or f"test-fund:{user.pk}:{symbol}:{amount}:{customer_account(user=user, asset=a).balance}",
        kind="deposit",
        legs=[(system_account(asset=a, kind=Kind.OMNIBUS), -amount), (customer_account(user=user, asset=a), amount)],
    )


def balance(user, symbol: str, kind: str = Kind.AVAILABLE) -> Decimal:
    return customer_account(user=user, asset=asset(symbol), kind=kind).balance


def confirmed_bank(user, currency="EUR"):
    return make_bank(user, iban=IBAN_DE, swift="COBADEFFXXX", currency=currency, status=InstrumentStatus.CONFIRMED)


def confirmed_card(user):
    return make_card(user, status=InstrumentStatus.CONFIRMED)


def confirmed_wallet(user, symbol="ETH", address=ETH_ADDRESSES[0], status=InstrumentStatus.CONFIRMED):
    from accounts.models import Wallet

    return Wallet.objects.create(
        user=user, asset=asset(symbol), address=address, alias=f"w-{address[-6:]}", status=status
    )
