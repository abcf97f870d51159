"""Random sequences of deposit / quote / confirm / approve / reject / expire / withdraw keep every invariant:
the ledger balances, no balance below zero, pending = what funded orders in progress reserved, one order per
completed quote and none for an expired one."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from ccpro.errors import DomainError
from trading import order_ledger, orders
from trading.ledger import Kind
from trading.ledger_models import LedgerAccount
from trading.order_models import Order, Quote

from ..factories import UserFactory
from ..gates.registry import eth_address_for, iban_for
from ..instruments.conftest import make_bank
from .conftest import confirmed_wallet

pytestmark = pytest.mark.django_db

SYMBOLS = ("ETH", "XBT")
amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("3"), places=3)


class OrderMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.user = UserFactory()
        self.staff = UserFactory(is_staff=True)
        self.bank = make_bank(
            self.user, iban=iban_for(self.user), swift="COBADEFFXXX", currency="EUR", status="CONFIRMED"
        )
        self.wallet = confirmed_wallet(self.user, address=eth_address_for(self.user))
        self.tx = 0

    # --- actions ---------------------------------------------------------------------------------

    @rule(symbol=st.sampled_from(SYMBOLS), amount=amounts)
    def deposit(self, symbol, amount):
        self.tx += 1
        orders.deposit_create(
            user=self.user, type="coin", symbol=symbol, amount=str(amount), tx_id=f"{self.user.pk}:{self.tx}"
        )

    @rule(
        operation=st.sampled_from(["sell_to_fiat", "sell_to_crypto", "buy_with_fiat", "buy_with_crypto", "withdraw"]),
        symbol=st.sampled_from(SYMBOLS),
        amount=amounts,
    )
    def quote(self, operation, symbol, amount):
        other = {"sell_to_fiat": "EUR", "buy_with_fiat": "EUR"}.get(operation, "XBT" if symbol == "ETH" else "ETH")
        if operation == "withdraw" and symbol != "ETH":
            symbol = "ETH"
        try:
            orders.quote_create(
                user=self.user,
                type="coin",
                order_type=operation,
                order_amount=str(amount),
                order_symbol=symbol,
                payment_symbol=None if operation == "withdraw" else other,
                payment_method_id=self.bank.pk if operation in ("sell_to_fiat", "buy_with_fiat") else None,
                wallet=str(self.wallet.pk) if operation == "withdraw" else None,
            )
        except DomainError:
            pass  # e.g. below an operation's minimum: nothing is written

    @precondition(lambda self: Quote.objects.filter(user=self.user, status="available").exists())
    @rule(data=st.data())
    def confirm(self, data):
        available = Quote.objects.filter(user=self.user, status="available").order_by("created_at", "public_id")
        quote = data.draw(st.sampled_from(list(available)))
        try:
            orders.quote_confirm(user=self.user, quote_id=quote.pk)
        except DomainError:
            pass  # insufficient funds: the quote stays available, nothing else changes

    def _open_orders(self, status):
        return list(Order.objects.filter(user=self.user, status=status).order_by("created_at", "public_id"))

    @precondition(lambda self: Order.objects.filter(user=self.user, status__in=["PAYMENT_WAITING"]).exists())
    @rule(data=st.data())
    def payment_received(self, data):
        order = data.draw(st.sampled_from(self._open_orders("PAYMENT_WAITING")))
        try:
            orders.order_payment_received(order_id=order.pk, staff=self.staff)
        except DomainError:
            pass  # a child withdrawal cannot be funded before its parent is approved

    @precondition(lambda self: Order.objects.filter(user=self.user, status="PROCESSING_PAYMENT").exists())
    @rule(data=st.data())
    def approve(self, data):
        order = data.draw(st.sampled_from(self._open_orders("PROCESSING_PAYMENT")))
        orders.order_approve(order_id=order.pk, staff=self.staff, tx_id="0xsent")

    @precondition(
        lambda self: Order.objects.filter(user=self.user, status__in=["PAYMENT_WAITING", "PROCESSING_PAYMENT"]).exists()
    )
    @rule(data=st.data())
    def reject(self, data):
        open_ = list(
            Order.objects.filter(user=self.user, status__in=["PAYMENT_WAITING", "PROCESSING_PAYMENT"]).order_by(
                "created_at", "public_id"
            )
        )
        order = data.draw(st.sampled_from(open_))
        orders.order_reject(order_id=order.pk, staff=self.staff, reason="random")

    @rule()
    def expire(self):
        Quote.objects.filter(user=self.user, status="available").update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        orders.quote_expire_due()

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def ledger_is_clean(self):
        out = StringIO()
        call_command("ledger_check", "--no-progress", stdout=out, stderr=StringIO())
        assert "OK" in out.getvalue()

    @invariant()
    def pending_is_what_funded_orders_in_progress_reserved(self):
        reserved = defaultdict(Decimal)
        for order in Order.objects.filter(
            user=self.user, status="PROCESSING_PAYMENT", operation__in=order_ledger.BALANCE_FUNDED
        ):
            reserved[order.from_asset_id] += order.from_amount
        pending = {
            a.asset_id: a.balance for a in LedgerAccount.objects.filter(user=self.user, kind=Kind.PENDING) if a.balance
        }
        assert pending == {k: v for k, v in reserved.items() if v}
        assert not LedgerAccount.objects.filter(user=self.user, balance__lt=0).exists()

    @invariant()
    def quotes_and_orders_match(self):
        assert not Quote.objects.filter(user=self.user, status="completed", order__isnull=True).exists()
        assert not Quote.objects.filter(
            user=self.user, status__in=["available", "expired"], order__isnull=False
        ).exists()


def test_random_sequences_keep_every_invariant(market):
    run_state_machine_as_test(
        OrderMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
