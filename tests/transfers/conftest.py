import uuid
from decimal import Decimal

import pytest

from trading.ledger import customer_account, ledger_post, system_account
from trading.ledger_models import LedgerAccount
from trading.models import Asset

Kind = LedgerAccount.Kind


@pytest.fixture
def eth(db):
    return Asset.objects.get(symbol="ETH")


def fund(user, asset, amount, key=None):
    """Credit a user's available balance as a deposit would."""
    amount = Decimal(amount)
    ledger_post(
        idempotency_key=key or f"test-fund:{uuid.uuid4()}",
        kind="deposit",
        legs=[
            (system_account(asset=asset, kind=Kind.OMNIBUS), -amount),
            (customer_account(user=user, asset=asset), amount),
        ],
    )


def balances(user, asset) -> tuple[Decimal, Decimal]:
    rows = dict(LedgerAccount.objects.filter(user=user, asset=asset).values_list("kind", "balance"))
    return rows.get(Kind.AVAILABLE, Decimal(0)), rows.get(Kind.PENDING, Decimal(0))


def revenue(asset) -> Decimal:
    return sum(
        LedgerAccount.objects.filter(asset=asset, kind=Kind.REVENUE).values_list("balance", flat=True), Decimal(0)
    )


@pytest.fixture(autouse=True)
def _kyc_limits_off(request, monkeypatch):
    """Transfers tests are about money movement between users at KYC level 0 (who may move nothing): the KYC
    limits check is switched off except in tests using the `kyc_limits` fixture, which test it."""
    if "kyc_limits" not in request.fixturenames:
        monkeypatch.setattr("trading.transfers.kyc_limits_check", lambda **kwargs: None)


@pytest.fixture
def kyc_limits():
    """Keep the KYC limits check on for this test."""
