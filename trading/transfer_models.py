"""Transfers between users of CCPro (reference group "Transfer"), and their configuration per platform.

Imported by trading/models.py, so they belong to the `trading` app. Money never moves here: trading/transfers.py
posts every movement through trading.ledger.ledger_post in the same database transaction as the status change.
"""

import secrets
import string
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .ledger_models import AMOUNT_DECIMALS, AMOUNT_DIGITS

AMOUNT = {"max_digits": AMOUNT_DIGITS, "decimal_places": AMOUNT_DECIMALS}
PERCENT = {"max_digits": 7, "decimal_places": 4}
PUBLIC_ID_ALPHABET = string.ascii_letters + string.digits


def new_public_id() -> str:
    """The reference's 8-character `publicId` (`FxpNoavw`): 62^8 values, unique index as the final guard."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


class TransferConfig(models.Model):
    """Whether a platform's users may transfer an asset, the smallest amount, and the commission taken.

    The platform of a transfer is the one its creator came through; without a row for that platform and asset
    the house platform's (CCPRO) row applies; without either the asset is not transferable.
    """

    platform = models.ForeignKey("platforms.Platform", on_delete=models.CASCADE, related_name="transfer_configs")
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="transfer_configs")
    active = models.BooleanField(default=True, help_text="Unticked: the asset cannot be transferred.")
    min_amount = models.DecimalField(**AMOUNT, default=0, help_text="Smallest amount a transfer may have.")
    commission_percent = models.DecimalField(**PERCENT, default=0, help_text="0 ≤ percent < 100, of the amount.")

    class Meta:
        ordering = ["platform", "asset"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "asset"], name="trading_transferconfig_unique"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0, commission_percent__lt=100, min_amount__gte=0),
                name="trading_transferconfig_ranges",
            ),
        ]

    def __str__(self):
        return f"{self.platform.code} {self.asset.symbol}: {self.commission_percent}% (min {self.min_amount})"


class Transfer(models.Model):
    """One user paying another. `send`: the creator pays; `receive`: the creator asks the other user to pay.

    The payer (`from_user`) always approves: the creator of a `send` confirms it, the other party confirms a
    `receive`. The amount is reserved on the payer (available → pending) at creation.
    """

    class Action(models.TextChoices):
        SEND = "send"
        RECEIVE = "receive"

    class Status(models.TextChoices):
        PENDING = "pending"
        COMPLETED = "completed"
        EXPIRED = "expired"
        REFUSED = "refused"

    # The only moves a transfer's status may make (trading.transfers.transfer_transition enforces it).
    TRANSITIONS = {
        Status.PENDING: frozenset({Status.COMPLETED, Status.EXPIRED, Status.REFUSED}),
        Status.COMPLETED: frozenset(),
        Status.EXPIRED: frozenset(),
        Status.REFUSED: frozenset(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    public_id = models.CharField(max_length=8, unique=True, default=new_public_id, editable=False)
    action = models.CharField(max_length=7, choices=Action.choices)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="transfers")
    amount = models.DecimalField(**AMOUNT)
    commission = models.DecimalField(**AMOUNT)
    commission_percent = models.DecimalField(**PERCENT)
    total = models.DecimalField(**AMOUNT, help_text="What the payee receives: amount − commission.")
    # The parties have no single-column index: (party, -created_at) below serves every lookup by party, and a
    # completion's UPDATE (never HOT) writes into every index of the row.
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_created", db_index=False
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_paid", db_index=False
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_received", db_index=False
    )
    # The creator's partner platform (null for the house platform: `externalPlatform` is then all null).
    platform = models.ForeignKey(
        "platforms.Platform", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    # The wallet the payer named when confirming a `receive` (optional, one of the payer's usable wallets).
    wallet = models.ForeignKey("accounts.Wallet", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    life_seconds = models.PositiveIntegerField()
    life_until_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it left `pending`.")
    # The two orders a completed transfer produces (`fromOrder`, the payer's transfer-out, and `toOrder`, the
    # payee's transfer-in), identified as the reference shows them; null while pending or when not completed.
    from_order_id = models.UUIDField(null=True, blank=True, unique=True)
    from_order_public_id = models.CharField(max_length=8, blank=True)
    to_order_id = models.UUIDField(null=True, blank=True, unique=True)
    to_order_public_id = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_user=F("to_user")), name="trading_transfer_not_to_self"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, commission__gte=0, total__gt=0) & Q(total=F("amount") - F("commission")),
                name="trading_transfer_amounts",
            ),
            models.CheckConstraint(
                condition=Q(by_user=F("from_user")) | Q(by_user=F("to_user")), name="trading_transfer_by_a_party"
            ),
            models.CheckConstraint(
                condition=Q(status="completed", from_order_id__isnull=False, to_order_id__isnull=False)
                | (~Q(status="completed") & Q(from_order_id__isnull=True, to_order_id__isnull=True)),
                name="trading_transfer_orders_iff_completed",
            ),
        ]
        indexes = [
            models.Index(fields=["from_user", "-created_at"]),
            models.Index(fields=["to_user", "-created_at"]),
            models.Index(fields=["by_user", "-created_at"]),
            # The expiry sweep reads only pending transfers by deadline.
            models.Index(fields=["life_until_at"], condition=Q(status="pending"), name="trading_transfer_pending_due"),
        ]

    def __str__(self):
        return f"{self.public_id} {self.amount} {self.asset_id} ({self.status})"

    @property
    def approver_id(self):
        """Who must confirm: always the payer."""
        return self.from_user_id


class TransferStatusChange(models.Model):
    """Every status move of a transfer: from, to, who (null: the system), when, why."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=9)
    to_status = models.CharField(max_length=9)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField(max_length=191, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.transfer_id}: {self.from_status} → {self.to_status}"
