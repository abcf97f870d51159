"""Quotes, orders, their status history, and the deposit address pool.

A quote fixes a price for a while; confirming it creates exactly one order (`Order.quote` is one-to-one). An
order's status moves only through `trading.orders.order_transition`, which writes an `OrderStatusChange` row and
the order's ledger effect (docs/ledger.md) in the same database transaction.
"""

import secrets
import string
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import AMOUNT, PERCENT, Operation

PUBLIC_ID_ALPHABET = string.ascii_letters + string.digits


def public_id_new() -> str:
    """The 8-character `publicId` partners show their users (`ftCVHqME`)."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


class Direction(models.TextChoices):
    IN = "in"
    OUT = "out"


# `typeOperation`: whether the order brings the crypto asset in (to the user) or takes it out.
OPERATION_DIRECTION = {
    Operation.DEPOSIT: Direction.IN,
    Operation.BUY_WITH_FIAT: Direction.IN,
    Operation.BUY_WITH_CRYPTO: Direction.IN,
    Operation.SELL_TO_FIAT: Direction.OUT,
    Operation.SELL_TO_CRYPTO: Direction.OUT,
    Operation.WITHDRAW: Direction.OUT,
    Operation.WITHDRAW_ICO: Direction.OUT,
}


# A completed transfer's two orders (trading/transfers.py): the payer's transfer-out and the payee's transfer-in.
# Not reference operations (no quote, price or KYC period amount uses them): the reference names only external
# movements and trades; docs/decisions.md, "Transfers and idempotency", says why these names.
TRANSFER_OUT = "transfer_out"
TRANSFER_IN = "transfer_in"
TRANSFER_OPERATIONS = (TRANSFER_OUT, TRANSFER_IN)
ORDER_OPERATION_CHOICES = [*Operation.choices, (TRANSFER_OUT, "transfer out"), (TRANSFER_IN, "transfer in")]
OPERATION_DIRECTION[TRANSFER_OUT] = Direction.OUT
OPERATION_DIRECTION[TRANSFER_IN] = Direction.IN


class PaymentType(models.TextChoices):
    BANK = "bank"
    CARD = "card"


class Quote(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available"
        COMPLETED = "completed"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    public_id = models.CharField(max_length=8, unique=True, default=public_id_new, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.AVAILABLE)
    type = models.CharField(max_length=5, help_text="coin or token: the kind of the ordered asset.")
    operation = models.CharField(max_length=16, choices=Operation.choices)
    second_operation = models.CharField(
        max_length=16, blank=True, choices=[(Operation.WITHDRAW, "withdraw"), (Operation.WITHDRAW_ICO, "withdrawIco")]
    )
    # The ordered asset (orderSymbol): `amount` is in it; `total` is in the other side of the operation.
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    from_asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    to_asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    from_amount = models.DecimalField(**AMOUNT)
    to_amount = models.DecimalField(**AMOUNT)
    rate = models.DecimalField(**AMOUNT)
    rate_raw = models.DecimalField(**AMOUNT)
    commission_percent = models.DecimalField(**PERCENT)
    discount_percent = models.DecimalField(**PERCENT, default=0)
    commission_from = models.DecimalField(**AMOUNT, help_text="The commission in the `from` asset.")
    commission_to = models.DecimalField(**AMOUNT, help_text="The same commission in the `to` asset.")
    payment_type = models.CharField(max_length=4, choices=PaymentType.choices, blank=True)
    bank = models.ForeignKey("accounts.Bank", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    card = models.ForeignKey("accounts.Card", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment_mandatory = models.BooleanField(default=False)
    wallet = models.ForeignKey("accounts.Wallet", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    wallet_address = models.CharField(max_length=128, blank=True)
    platform = models.ForeignKey(
        "platforms.Platform", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    life_seconds = models.PositiveIntegerField()
    expires_at = models.DateTimeField()
    # The random part of the signed confirmUrl (its JWT's `access`).
    access = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="trading_quote_user_newest"),
            # The expiry sweep: available quotes by expiry time.
            models.Index(fields=["expires_at"], condition=Q(status="available"), name="trading_quote_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(from_amount__gt=0, to_amount__gt=0), name="trading_quote_amounts"),
        ]

    def __str__(self):
        return f"quote {self.public_id} {self.operation} {self.status}"

    @property
    def amount(self):
        return self.from_amount if self.asset_id == self.from_asset_id else self.to_amount

    @property
    def total(self):
        return self.to_amount if self.asset_id == self.from_asset_id else self.from_amount

    @property
    def payment_instrument(self):
        return self.bank or self.card


class Order(models.Model):
    class Status(models.TextChoices):
        PAYMENT_WAITING = "PAYMENT_WAITING"
        PROCESSING_PAYMENT = "PROCESSING_PAYMENT"
        APPROVED = "APPROVED"
        REJECTED = "REJECTED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    public_id = models.CharField(max_length=8, unique=True, default=public_id_new, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=18, choices=Status.choices, default=Status.PAYMENT_WAITING)
    type = models.CharField(max_length=5, help_text="coin or token: the kind of the ordered asset.")
    operation = models.CharField(max_length=16, choices=ORDER_OPERATION_CHOICES)
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    from_asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_amount = models.DecimalField(**AMOUNT, default=0)
    rate = models.DecimalField(**AMOUNT, default=0)
    to_asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    to_amount = models.DecimalField(**AMOUNT)
    # Always in the `from` asset (what the user gives); zero for deposits.
    commission_percent = models.DecimalField(**PERCENT, default=0)
    commission_amount = models.DecimalField(**AMOUNT, default=0)
    payment_method = models.CharField(max_length=4, choices=PaymentType.choices, blank=True)
    bank = models.ForeignKey("accounts.Bank", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    card = models.ForeignKey("accounts.Card", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fee_percent = models.DecimalField(**PERCENT, default=0)
    proof = models.ForeignKey("uploads.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proof_uploaded_at = models.DateTimeField(null=True, blank=True)
    wallet = models.ForeignKey("accounts.Wallet", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    wallet_address = models.CharField(max_length=128, blank=True)
    # Deposits: the chain transaction claimed; withdrawals: the one staff sent. A deposit's (chain, txId) is
    # unique among deposits that are not rejected.
    tx_id = models.CharField(max_length=191, blank=True)
    tx_chain = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, null=True, blank=True, related_name="order")
    parent_order = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="child_orders"
    )
    platform = models.ForeignKey(
        "platforms.Platform", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set on a transfer's orders only (born APPROVED, never decided, no ledger posting of their own: the
    # transfer's one ledger transaction is the movement).
    transfer = models.ForeignKey(
        "trading.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    kyc_level_required = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="trading_order_user_newest"),
            models.Index(fields=["status", "operation", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tx_chain", "tx_id"],
                condition=Q(operation="deposit") & ~Q(status="REJECTED"),
                name="trading_order_deposit_tx_once",
            ),
            models.CheckConstraint(
                condition=Q(from_amount__gte=0, to_amount__gt=0, commission_amount__gte=0),
                name="trading_order_amounts",
            ),
        ]

    def __str__(self):
        return f"order {self.public_id} {self.operation} {self.status}"

    @property
    def direction(self) -> str:
        return OPERATION_DIRECTION[self.operation]

    @property
    def child_order(self):
        children = getattr(self, "_prefetched_objects_cache", {}).get("child_orders")
        if children is not None:
            return children[0] if children else None
        return self.child_orders.first()


class OrderStatusChange(models.Model):
    """One move of an order: from, to, who, when, why."""

    class Actor(models.TextChoices):
        USER = "User"
        STAFF = "Staff"
        SYSTEM = "System"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=18, blank=True)
    to_status = models.CharField(max_length=18, choices=Order.Status.choices)
    actor = models.CharField(max_length=6, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class DepositAddress(models.Model):
    """A chain address of the custody, loaded by staff into a pool per chain and handed out once to a user."""

    class Type(models.TextChoices):
        COLD = "cold"
        HOT = "hot"

    class Destination(models.TextChoices):
        BROKER = "broker"
        CHECKOUT = "checkout"

    class Status(models.TextChoices):
        ENABLED = "enabled"
        DISABLED = "disabled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chain = models.ForeignKey(
        "trading.Asset", on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "coin"}
    )
    address = models.CharField(max_length=128)
    type = models.CharField(max_length=4, choices=Type.choices, default=Type.COLD)
    destination = models.CharField(max_length=8, choices=Destination.choices, default=Destination.BROKER)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ENABLED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="deposit_addresses"
    )
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["chain", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "address"], name="trading_depositaddress_unique"),
            models.UniqueConstraint(
                fields=["user", "asset", "destination"],
                condition=Q(user__isnull=False),
                name="trading_depositaddress_one_per_user_asset",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True, asset__isnull=True) | Q(user__isnull=False, asset__isnull=False),
                name="trading_depositaddress_assigned_whole",
            ),
        ]
        indexes = [
            models.Index(
                fields=["chain", "destination", "created_at"],
                condition=Q(user__isnull=True, status="enabled"),
                name="trading_depositaddress_free",
            )
        ]

    def __str__(self):
        return f"{self.chain_id}:{self.address}"


# Back-office work queues: the same orders, filtered by what staff have to do with them (trading/order_admin.py).
class PaymentReviewOrder(Order):
    class Meta:
        proxy = True
        verbose_name = "order awaiting payment review"
        verbose_name_plural = "queue: payments to review"


class DepositToConfirm(Order):
    class Meta:
        proxy = True
        verbose_name = "deposit to confirm"
        verbose_name_plural = "queue: deposits to confirm"


class WithdrawalToSend(Order):
    class Meta:
        proxy = True
        verbose_name = "withdrawal to send"
        verbose_name_plural = "queue: withdrawals to send"
