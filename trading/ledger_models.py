"""The double-entry ledger: every movement of money is one LedgerTransaction whose entries sum to zero per asset.

Sign convention: an entry's amount is signed; an account's balance is the sum of its entries. Customer accounts
(available, pending) hold what CCPro owes the customer and may never go negative (a CHECK constraint). System
accounts may: OMNIBUS is the custody the platform holds for its customers (debit-normal, so it goes negative as
deposits come in), EXTERNAL the outside world for flows that do not touch custody, CLEARING the house's own
position per asset (what it bought or sold to fill orders), REVENUE the commissions earned. REVENUE is split into
shards so concurrent writers do not queue on one hot row.

PostgreSQL refuses, by triggers created in the migration, an unbalanced transaction (checked at commit) and any
UPDATE or DELETE of a written entry or transaction: corrections are new transactions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

AMOUNT_DIGITS = 38
AMOUNT_DECIMALS = 18
REVENUE_SHARDS = 16


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        AVAILABLE = "available"
        PENDING = "pending"
        OMNIBUS = "omnibus"
        EXTERNAL = "external"
        CLEARING = "clearing"
        REVENUE = "revenue"

    CUSTOMER_KINDS = (Kind.AVAILABLE, Kind.PENDING)

    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="ledger_accounts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    shard = models.PositiveSmallIntegerField(default=0)
    # Cached sum of the entries, updated in the same transaction as each entry (ledger_check proves it).
    balance = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_DECIMALS, default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "asset", "kind"], condition=Q(user__isnull=False), name="ledger_account_customer_unique"
            ),
            models.UniqueConstraint(
                fields=["asset", "kind", "shard"], condition=Q(user__isnull=True), name="ledger_account_system_unique"
            ),
            # Customer accounts exist only with a user, system accounts only without one.
            models.CheckConstraint(
                condition=(Q(kind__in=["available", "pending"]) & Q(user__isnull=False))
                | (~Q(kind__in=["available", "pending"]) & Q(user__isnull=True)),
                name="ledger_account_owner_matches_kind",
            ),
            # The database itself refuses a negative customer balance.
            models.CheckConstraint(
                condition=~Q(kind__in=["available", "pending"]) | Q(balance__gte=0),
                name="ledger_account_customer_not_negative",
            ),
        ]

    def __str__(self):
        owner = self.user_id or "system"
        return f"{owner}:{self.asset_id}:{self.kind}" + (f"#{self.shard}" if self.shard else "")


class LedgerTransaction(models.Model):
    """One movement. `idempotency_key` makes posting the same movement twice impossible."""

    idempotency_key = models.CharField(max_length=191, unique=True)
    kind = models.CharField(max_length=40)
    reference = models.CharField(max_length=64, blank=True, help_text="What caused it, e.g. order:<uuid>.")
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.kind} {self.idempotency_key}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    # No index of its own: (account, id) below serves every lookup by account (written on every posting).
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries", db_index=False)
    # Denormalised from the account so the zero-sum trigger and ledger_check group by asset without a join.
    asset = models.ForeignKey("trading.Asset", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_DECIMALS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero")]

    def __str__(self):
        return f"{self.account_id} {self.amount}"
