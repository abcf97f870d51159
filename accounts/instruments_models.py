"""The user's payment instruments: bank accounts, cards and withdrawal wallets, each confirmed by staff.

Imported by `accounts.models`, so they belong to the `accounts` app. An instrument is never deleted from
the database: the user's "delete" hides it (`deleted_at`) so orders, quotes and the review history that
point at it stay intact. Status moves only through `accounts.instruments` services, each move recorded in
`InstrumentStatusChange`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class InstrumentStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    CONFIRMED = "CONFIRMED", "Confirmed"
    REJECTED = "REJECTED", "Rejected"


class Instrument(models.Model):
    """What banks, cards and wallets share: owner, review status, who reviewed it and why, soft deletion."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=9, choices=InstrumentStatus.choices, default=InstrumentStatus.PENDING)
    reject_reason = models.CharField(max_length=500, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_usable(self) -> bool:
        """Only confirmed, not deleted instruments may be used by quotes and orders."""
        return self.status == InstrumentStatus.CONFIRMED and self.deleted_at is None


class Bank(Instrument):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="banks")
    bank_name = models.CharField(max_length=191)
    iban = models.CharField(max_length=34, help_text="Compact, upper case, checksum verified.")
    swift = models.CharField(max_length=11, help_text="BIC of 8 or 11 characters.")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["iban"], condition=Q(deleted_at__isnull=True), name="accounts_bank_iban_unique_live"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.bank_name} {self.iban}"


class Card(Instrument):
    """A payment card known only by its last four digits; the full number is never accepted or stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cards")
    alias = models.CharField(max_length=191)
    holder_name = models.CharField(max_length=191)
    expiration_month = models.PositiveSmallIntegerField()
    expiration_year = models.PositiveSmallIntegerField(help_text="Four digits.")
    last_four_digits = models.CharField(max_length=4)
    # The card itself and the user holding it; private uploads served through /files/<id>.
    image_front = models.ForeignKey("uploads.StoredFile", on_delete=models.PROTECT, related_name="+")
    image_holding = models.ForeignKey("uploads.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiration_month__gte=1, expiration_month__lte=12), name="accounts_card_month_range"
            ),
            models.CheckConstraint(condition=Q(last_four_digits__regex=r"^[0-9]{4}$"), name="accounts_card_last4"),
        ]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.alias} •••• {self.last_four_digits}"

    @property
    def expiration(self) -> str:
        """`MM/YY`, as the reference shows it."""
        return f"{self.expiration_month:02d}/{self.expiration_year % 100:02d}"


class Wallet(Instrument):
    """A withdrawal address of the user's for one coin or token (trading.Asset), valid for its chain."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wallets")
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    alias = models.CharField(max_length=191)
    address = models.CharField(max_length=128, help_text="Normalised: EIP-55 for Ethereum, lower-case bech32.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=Q(deleted_at__isnull=True), name="accounts_wallet_address_unique_live"
            ),
            models.UniqueConstraint(
                "user",
                Lower("alias"),
                condition=Q(deleted_at__isnull=True),
                name="accounts_wallet_alias_unique_per_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.alias} {self.address}"


class InstrumentStatusChange(models.Model):
    """One move of a bank, card or wallet from one status to another: who, when, why."""

    class Actor(models.TextChoices):
        USER = "User"
        STAFF = "Staff"
        SYSTEM = "System"

    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.PROTECT, related_name="status_changes")
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.PROTECT, related_name="status_changes")
    wallet = models.ForeignKey(Wallet, null=True, blank=True, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=9, choices=InstrumentStatus.choices, blank=True)
    to_status = models.CharField(max_length=9, choices=InstrumentStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=6, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(bank__isnull=False, card__isnull=True, wallet__isnull=True)
                    | Q(bank__isnull=True, card__isnull=False, wallet__isnull=True)
                    | Q(bank__isnull=True, card__isnull=True, wallet__isnull=False)
                ),
                name="accounts_instrument_change_exactly_one",
            ),
        ]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"
