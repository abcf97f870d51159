import threading
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, connection, transaction

from trading.ledger import (
    InsufficientFunds,
    LedgerUnbalanced,
    customer_account,
    ledger_post,
    revenue_account,
    system_account,
)
from trading.ledger_models import LedgerAccount, LedgerEntry, LedgerTransaction
from trading.models import Asset

from ..conftest import client_for
from ..factories import DEFAULT_PASSWORD, UserFactory

D = Decimal
Kind = LedgerAccount.Kind


@pytest.fixture
def eth(db):
    return Asset.objects.get(symbol="ETH")


def deposit(user, asset, amount, key):
    return ledger_post(
        idempotency_key=key,
        kind="deposit",
        legs=[
            (system_account(asset=asset, kind=Kind.OMNIBUS), -amount),
            (customer_account(user=user, asset=asset), amount),
        ],
    )


def ledger_is_clean():
    out = StringIO()
    call_command("ledger_check", "--no-progress", stdout=out, stderr=StringIO())
    return "OK" in out.getvalue()


@pytest.mark.django_db
def test_deposit_and_reservation_balances(user, eth):
    deposit(user, eth, D("1.5"), "dep-1")
    available = customer_account(user=user, asset=eth)
    pending = customer_account(user=user, asset=eth, kind=Kind.PENDING)
    ledger_post(
        idempotency_key="reserve-1", kind="withdraw_reserve", legs=[(available, D("-0.5")), (pending, D("0.5"))]
    )
    available.refresh_from_db()
    pending.refresh_from_db()
    assert (available.balance, pending.balance) == (D("1.0"), D("0.5"))
    assert ledger_is_clean()


@pytest.mark.django_db
def test_same_idempotency_key_posts_once(user, eth):
    first = deposit(user, eth, D("2"), "dep-same")
    second = deposit(user, eth, D("2"), "dep-same")
    assert first.pk == second.pk
    assert customer_account(user=user, asset=eth).balance == D("2")
    assert LedgerTransaction.objects.count() == 1


@pytest.mark.django_db
def test_unbalanced_or_too_precise_postings_refused(user, eth):
    account = customer_account(user=user, asset=eth)
    with pytest.raises(LedgerUnbalanced):
        ledger_post(idempotency_key="bad", kind="x", legs=[(account, D("1"))])
    with pytest.raises(LedgerUnbalanced):
        deposit(user, eth, D("0.0000000000000000001"), "too-precise")
    with pytest.raises(TypeError):
        ledger_post(idempotency_key="float", kind="x", legs=[(account, 1.0)])
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_overdraw_refused_and_nothing_written(user, eth):
    deposit(user, eth, D("1"), "dep-2")
    available = customer_account(user=user, asset=eth)
    pending = customer_account(user=user, asset=eth, kind=Kind.PENDING)
    with pytest.raises(InsufficientFunds):
        ledger_post(
            idempotency_key="over", kind="withdraw_reserve", legs=[(available, D("-1.01")), (pending, D("1.01"))]
        )
    assert LedgerTransaction.objects.count() == 1
    assert ledger_is_clean()


@pytest.mark.django_db
def test_database_refuses_negative_customer_balance(user, eth):
    account = customer_account(user=user, asset=eth)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=account.pk).update(balance=D("-1"))


@pytest.mark.django_db
def test_database_refuses_unbalanced_transaction_at_commit(user, eth):
    account = customer_account(user=user, asset=eth)
    with pytest.raises(IntegrityError), transaction.atomic():
        posted = LedgerTransaction.objects.create(idempotency_key="raw", kind="raw")
        LedgerEntry.objects.create(transaction=posted, account=account, asset=eth, amount=D("5"))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do


@pytest.mark.django_db
def test_entries_and_transactions_are_immutable(user, eth):
    posted = deposit(user, eth, D("1"), "dep-3")
    for statement in (
        lambda: LedgerEntry.objects.filter(transaction=posted).update(amount=D("2")),
        lambda: LedgerEntry.objects.filter(transaction=posted).delete(),
        lambda: LedgerTransaction.objects.filter(pk=posted.pk).update(kind="other"),
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            statement()
    assert LedgerEntry.objects.filter(transaction=posted).count() == 2


@pytest.mark.django_db
def test_ledger_check_detects_a_tampered_balance(user, eth):
    deposit(user, eth, D("1"), "dep-4")
    LedgerAccount.objects.filter(user=user).update(balance=D("7"))
    with pytest.raises(CommandError):
        call_command("ledger_check", "--no-progress", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_revenue_is_sharded(eth):
    shards = {revenue_account(asset=eth, spread_key=f"order:{n}").shard for n in range(200)}
    assert len(shards) > 8


@pytest.mark.django_db
def test_account_close_refused_while_holding_funds(user, eth):
    deposit(user, eth, D("0.1"), "dep-5")
    response = client_for(user).post(
        f"/api/v1/user/{user.pk}/account/close/initiate", {"password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 412
    assert response.json() == {"message": "Self Delete Account procedure unavailable due available balance"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_of_whole_balance_exactly_one_wins(eth, capsys):
    """50 threads each try to reserve the whole balance: exactly one succeeds, the ledger stays clean."""
    user = UserFactory()
    deposit(user, eth, D("3"), "dep-concurrent")
    available = customer_account(user=user, asset=eth)
    pending = customer_account(user=user, asset=eth, kind=Kind.PENDING)
    outcomes: list[str] = []
    barrier = threading.Barrier(50)

    def attempt(n):
        try:
            barrier.wait()
            ledger_post(
                idempotency_key=f"withdraw-{n}",
                kind="withdraw_reserve",
                legs=[(available, D("-3")), (pending, D("3"))],
            )
            outcomes.append("ok")
        except InsufficientFunds:
            outcomes.append("refused")
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 49
    available.refresh_from_db()
    pending.refresh_from_db()
    assert (available.balance, pending.balance) == (D("0"), D("3"))
    assert ledger_is_clean()
    with capsys.disabled():
        print(f"\n[concurrency] 50 simultaneous whole-balance withdrawals: 1 accepted, 49 refused in {elapsed:.3f}s")  # noqa: T201 - the concurrency figures are part of the report
