"""Demo money and orders for `manage.py demo_seed`: the verified demo user holds ETH, XBT and IPSX (posted
through the ledger), has orders in every status, and the deposit address pool has ETH and XBT addresses."""

import hashlib
from decimal import Decimal

from eth_utils import to_checksum_address

from accounts.demo import STAFF, VERIFIED
from accounts.models import Bank, User, Wallet

from . import orders
from .ledger import Kind, customer_account, ledger_post, system_account
from .models import Asset, Operation
from .order_models import DepositAddress, Order, PaymentType
from .payment_page import bank_confirm_url

FUNDS = {"ETH": Decimal("2.5"), "XBT": Decimal("0.05"), "IPSX": Decimal("5000")}
XBT_ADDRESSES = [
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
]


def _eth_addresses(n: int) -> list[str]:
    return [
        to_checksum_address("0x" + hashlib.sha256(f"ccpro-demo-pool:{i}".encode()).hexdigest()[:40]) for i in range(n)
    ]


def seed() -> list[str]:
    user = User.objects.get(email=VERIFIED[0])
    staff = User.objects.get(email=STAFF[0])
    for symbol, amount in FUNDS.items():
        asset = Asset.objects.get(symbol=symbol)
        ledger_post(
            idempotency_key=f"demo:fund:{user.pk}:{symbol}",
            kind="demo_deposit",
            legs=[
                (system_account(asset=asset, kind=Kind.OMNIBUS), -amount),
                (customer_account(user=user, asset=asset), amount),
            ],
            memo="demo funds",
        )
    pool = orders.deposit_addresses_import(
        chain=Asset.objects.get(symbol="ETH"), addresses=_eth_addresses(10), destination="broker", type="cold"
    )
    orders.deposit_addresses_import(
        chain=Asset.objects.get(symbol="XBT"), addresses=XBT_ADDRESSES, destination="broker", type="cold"
    )

    # Once: keyed on this module's first order (the transfers' demo, seeded before, gives the user orders too).
    if not Order.objects.filter(user=user, tx_id="0xdemo-approved").exists():
        # an approved deposit, a deposit claim to confirm, a crypto exchange filled at once
        credited = orders.deposit_create(user=user, type="coin", symbol="ETH", amount="0.3", tx_id="0xdemo-approved")
        orders.order_approve(order_id=credited.pk, staff=staff, reason="seen on chain (demo)")
        orders.deposit_create(user=user, type="token", symbol="IPSX", amount="250", tx_id="0xdemo-claim")
        quote = orders.quote_create(
            user=user,
            type="coin",
            order_type="sell_to_crypto",
            order_amount="0.2",
            order_symbol="ETH",
            payment_symbol="XBT",
        )
        orders.quote_confirm(user=user, quote_id=quote.pk)
        bank = Bank.objects.filter(user=user, status="CONFIRMED", deleted_at__isnull=True).first()
        if bank is not None:  # a purchase waiting for the bank transfer
            quote = orders.quote_create(
                user=user,
                type="coin",
                order_type="buy_with_fiat",
                order_amount="0.01",
                order_symbol="ETH",
                payment_symbol=bank.currency,
                payment_method_id=bank.pk,
            )
            orders.quote_confirm(user=user, quote_id=quote.pk)
        wallet = Wallet.objects.filter(
            user=user, status="CONFIRMED", deleted_at__isnull=True, asset__symbol="ETH"
        ).first()
        if wallet is not None:  # a withdrawal to send, and one sent
            for amount, tx in (("0.3", None), ("0.1", "0xdemo-sent")):
                quote = orders.quote_create(
                    user=user,
                    type="coin",
                    order_type="withdraw",
                    order_amount=amount,
                    order_symbol="ETH",
                    wallet=str(wallet.pk),
                )
                order = orders.quote_confirm(user=user, quote_id=quote.pk)
                if tx:
                    orders.order_approve(order_id=order.pk, staff=staff, tx_id=tx)
        # a quote left available (expires by the beat task)
        orders.quote_create(
            user=user,
            type="coin",
            order_type="sell_to_crypto",
            order_amount="0.1",
            order_symbol="ETH",
            payment_symbol="XBT",
        )
    statuses = Order.objects.filter(user=user).count()
    free = DepositAddress.objects.filter(user__isnull=True).count()
    lines = [
        f"orders: {user.email} holds ETH, XBT, IPSX (GET /api/v1/user/{user.pk}/balances) and has {statuses} orders; "
        f"admin queues: payments to review, deposits to confirm, withdrawals to send; "
        f"deposit address pool: {free} free ({pool['created']} ETH added now)"
    ]
    waiting = (
        Order.objects.filter(
            user=user,
            operation=Operation.BUY_WITH_FIAT,
            payment_method=PaymentType.BANK,
            status=Order.Status.PAYMENT_WAITING,
        )
        .order_by("created_at")
        .first()
    )
    if waiting is not None:  # the purchase's payment.url: its bank-confirm page, no sign-in needed
        lines.append(f"bank transfer to pay for order {waiting.public_id}: {bank_confirm_url(waiting)}")
    return lines
