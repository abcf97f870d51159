"""Races on real PostgreSQL with real threads (transactional tests): one quote, one order; one expiry or one
confirmation; a whole balance withdrawn once. Figures go to the pytest summary and docs/performance.md."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from trading import orders
from trading.ledger import Kind
from trading.order_models import Order, Quote

from ..conftest import client_for
from ..factories import UserFactory
from ..gates.concurrency import FIGURES, report, run_concurrently
from ..gates.registry import make_quote
from ..trading.conftest import PRICES, set_rates
from .conftest import balance, confirmed_card, confirmed_wallet, fund

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def live_market():
    from platforms.services import default_platform
    from trading.services import operations_enable_defaults

    operations_enable_defaults(platform=default_platform())
    set_rates(PRICES)
    cache.clear()


def test_fifty_simultaneous_confirmations_of_one_quote_make_one_order(live_market):
    user = UserFactory()
    card = confirmed_card(user)
    quote = make_quote(user, card=card, payment_type="card")
    clients = [client_for(user) for _ in range(50)]
    path = f"/api/v1/user/{user.pk}/quote/{quote.pk}"
    result = report(
        run_concurrently(
            "confirm one quote from 50 threads",
            lambda i, _n: clients[i].post(path, {}, format="json").status_code,
            threads=50,
        )
    )
    assert not result.errors
    assert result.outcomes == {201: 1, 403: 49}
    assert Order.objects.filter(quote=quote).count() == 1
    assert Order.objects.count() == 1


def _race_round(round_: int) -> str:
    user = UserFactory()
    card = confirmed_card(user)
    quote = make_quote(user, card=card, payment_type="card")
    # Due a little later each round: early rounds the sweep wins, late ones the confirmation, in between they
    # really race (the confirmation holds the row lock while its time runs out; the sweep skips locked rows).
    delay_ms = 10 * round_
    client = client_for(user)
    client.get(f"/api/v1/user/{user.pk}/quote/{quote.pk}")  # warm the token's lastUsedAt write
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() + timedelta(milliseconds=delay_ms))

    def act(i, _n):
        if i == 0:
            return client.post(f"/api/v1/user/{user.pk}/quote/{quote.pk}", {}, format="json").status_code
        time.sleep(delay_ms / 1000)
        return f"expired {orders.quote_expire_due()}"

    result = run_concurrently(f"expiry vs confirmation, round {round_}", act, threads=2)
    assert not result.errors
    quote.refresh_from_db()
    confirmed = Order.objects.filter(quote=quote).count()
    if quote.status == Quote.Status.COMPLETED:
        assert confirmed == 1 and result.outcomes["expired 0"] == 1
        assert not user.notifications.filter(code="quote_expired").exists()
        return "confirmation"
    assert confirmed == 0 and result.outcomes[403] == 1
    if quote.status == Quote.Status.AVAILABLE:
        # The sweep skipped the row while the refused confirmation held it locked: the next sweep takes it.
        assert result.outcomes["expired 0"] == 1
        assert orders.quote_expire_due() == 1
        quote.refresh_from_db()
    assert quote.status == Quote.Status.EXPIRED
    assert user.notifications.filter(code="quote_expired").count() == 1
    return "expiry"


def test_expiry_racing_confirmation_has_one_winner(live_market):
    started = time.perf_counter()
    winners = Counter(_race_round(n) for n in range(20))
    FIGURES.append(
        f"quote expiry sweep racing a confirmation, 20 rounds in {time.perf_counter() - started:.2f} s: "
        f"confirmation won {winners['confirmation']}, expiry won {winners['expiry']}, never both"
    )


def test_fifty_withdrawals_of_a_whole_balance_accept_one(live_market):
    user = UserFactory()
    wallet = confirmed_wallet(user)
    fund(user, "ETH", "2")
    api = client_for(user)
    body = {"type": "coin", "orderType": "withdraw", "orderAmount": "2", "orderSymbol": "ETH", "wallet": str(wallet.pk)}
    quotes = [api.post(f"/api/v1/user/{user.pk}/quote", body, format="json").json()["data"]["id"] for _ in range(50)]
    clients = [client_for(user) for _ in range(50)]
    result = report(
        run_concurrently(
            "50 whole-balance withdrawals (one quote each)",
            lambda i, _n: clients[i].post(f"/api/v1/user/{user.pk}/quote/{quotes[i]}", {}, format="json").status_code,
            threads=50,
        )
    )
    assert not result.errors
    assert result.outcomes == {201: 1, 403: 49}
    assert balance(user, "ETH") == 0 and balance(user, "ETH", Kind.PENDING) == 2
    assert Order.objects.filter(status="PROCESSING_PAYMENT").count() == 1


def test_two_staff_deciding_one_order_at_once(live_market):
    user = UserFactory()
    fund(user, "ETH", "1")
    data = orders.deposit_create(user=user, type="coin", symbol="ETH", amount="1", tx_id="0xrace")
    staff = [UserFactory(is_staff=True) for _ in range(8)]

    def decide(i, _n):
        try:
            if i % 2:
                orders.order_approve(order_id=data.pk, staff=staff[i])
            else:
                orders.order_reject(order_id=data.pk, staff=staff[i], reason="race")
        except orders.OrderTransitionNotAllowed:
            return "refused"
        return "decided"

    result = report(run_concurrently("8 staff decide one deposit", decide, threads=8))
    assert result.outcomes == {"decided": 1, "refused": 7}
    order = Order.objects.get(pk=data.pk)
    assert balance(user, "ETH") == (2 if order.status == "APPROVED" else 1)
