"""Transfers under real concurrency on PostgreSQL (threads, each with its own connection and transaction).

The 10,000-transfer run is benchmarks/transfers.py; a smaller version of it runs here."""

import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from trading.ledger import InsufficientFunds
from trading.ledger_models import LedgerAccount, LedgerTransaction
from trading.models import Asset
from trading.transfer_models import Transfer
from trading.transfers import CounterpartyCannotPay, TransferNotPending, transfer_confirm, transfer_create

from ..conftest import client_for
from ..factories import UserFactory
from ..gates.concurrency import report, run_concurrently
from .conftest import fund

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def ledger_clean() -> bool:
    out = StringIO()
    call_command("ledger_check", "--no-progress", stdout=out, stderr=StringIO())
    return "OK" in out.getvalue()


def customer_total(asset) -> Decimal:
    rows = LedgerAccount.objects.filter(asset=asset, kind__in=LedgerAccount.CUSTOMER_KINDS)
    return rows.aggregate(total=Sum("balance"))["total"] or D(0)


def revenue_total(asset) -> Decimal:
    return LedgerAccount.objects.filter(asset=asset, kind="revenue").aggregate(total=Sum("balance"))["total"] or D(0)


def test_50_concurrent_confirmations_complete_once():
    eth = Asset.objects.get(symbol="ETH")
    payer, payee = UserFactory(), UserFactory()
    fund(payer, eth, "1")
    transfer = transfer_create(
        user=payer, action="send", amount="1", asset_type="coin", symbol="ETH", counterparty=payee.email
    )
    clients = [client_for(payer) for _ in range(50)]
    path = f"/api/v1/user/{payer.pk}/transfer/{transfer.pk}"
    result = report(
        run_concurrently(
            "50 concurrent confirmations of one transfer",
            lambda i, _n: clients[i].post(path, {}, format="json").status_code,
            threads=50,
        )
    )
    assert not result.errors
    assert result.outcomes == {200: 1, 409: 49}
    assert LedgerTransaction.objects.filter(kind="transfer_complete").count() == 1
    payee_available = LedgerAccount.objects.get(user=payee, asset=eth, kind="available").balance
    assert payee_available == D("0.99")
    assert ledger_clean()


def test_one_idempotency_key_sent_100_times_creates_one_transfer():
    """100 requests with one key from 25 threads (PostgreSQL's max_connections of 100 is shared)."""
    eth = Asset.objects.get(symbol="ETH")
    payer, payee = UserFactory(), UserFactory()
    fund(payer, eth, "5")
    clients = [client_for(payer) for _ in range(25)]
    body = {"action": "send", "amount": "1", "type": "coin", "symbol": "ETH", "user": payee.email}
    answers = []

    def send(index, _n):
        response = clients[index].post(
            f"/api/v1/user/{payer.pk}/transfer", body, format="json", HTTP_IDEMPOTENCY_KEY="one-transfer-please"
        )
        answers.append((response.status_code, response.content))
        return response.status_code

    result = report(
        run_concurrently("one Idempotency-Key on transfer create x100", send, threads=25, calls_per_thread=4)
    )
    assert not result.errors and result.outcomes == {200: 100}
    assert len(answers) == 100 and len(set(answers)) == 1
    assert Transfer.objects.count() == 1
    assert LedgerAccount.objects.get(user=payer, asset=eth, kind="pending").balance == D(1)


def test_many_random_transfers_between_few_accounts_keep_the_books():
    """A smaller run of benchmarks/transfers.py: 16 threads x 25 transfers among 8 accounts."""
    eth = Asset.objects.get(symbol="ETH")
    users = [UserFactory() for _ in range(8)]
    for user in users:
        fund(user, eth, "10")
    before = customer_total(eth)

    def one_transfer(thread, n):
        rng = random.Random(thread * 1000 + n)
        payer, payee = rng.sample(users, 2)
        amount = Decimal(rng.randint(1, 3000)) / 1000
        try:
            transfer = transfer_create(
                user=payer, action="send", amount=amount, asset_type="coin", symbol="ETH", counterparty=payee.email
            )
        except InsufficientFunds:
            return "insufficient"
        except CounterpartyCannotPay:
            return "insufficient"
        try:
            transfer_confirm(user=payer, transfer_id=transfer.pk)
        except TransferNotPending:
            return "already"
        return "completed"

    result = report(run_concurrently("random transfers 16 threads x 25", one_transfer, threads=16, calls_per_thread=25))
    assert not result.errors, result.errors[:3]
    assert result.outcomes["completed"] > 0
    assert customer_total(eth) + revenue_total(eth) == before
    assert not LedgerAccount.objects.filter(kind__in=LedgerAccount.CUSTOMER_KINDS, balance__lt=0).exists()
    assert not LedgerAccount.objects.filter(asset=eth, kind="pending", balance__gt=0).exists()
    assert ledger_clean()
