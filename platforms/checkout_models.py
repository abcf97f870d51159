"""The checkout widget: a partner platform sends its user to /checkout/ with a signed token; the checkout walks
the user through account details, KYC (as the amount requires), a quote and its payment, to a thank-you page.

A checkout's status moves only through `platforms.checkout.checkout_transition` (created → processing →
finished, and created/processing → expired), which records a CheckoutStatusChange row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trading.order_models import public_id_new


class Checkout(models.Model):
    class Status(models.TextChoices):
        CREATED = "created"
        PROCESSING = "processing"
        FINISHED = "finished"
        EXPIRED = "expired"

    class Step(models.TextChoices):
        ACCOUNT_DETAILS = "account-details"
        KYC = "kyc"
        PAYMENT = "payment"
        THANK_YOU = "thank-you"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    public_id = models.CharField(max_length=8, unique=True, default=public_id_new, editable=False)
    platform = models.ForeignKey("platforms.Platform", on_delete=models.PROTECT, related_name="checkouts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts")
    request_id = models.CharField(max_length=191, help_text="The partner's id of this payment: reopening resumes.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    step = models.CharField(max_length=15, choices=Step.choices, default=Step.ACCOUNT_DETAILS)
    attempts_count = models.PositiveSmallIntegerField(default=0, help_text="Quotes made so far.")
    attempts_limit = models.PositiveSmallIntegerField(default=3)
    # What the partner asked for: `amount` of `symbol` (kind `type`) for/against the fiat `fiat`.
    operation = models.CharField(max_length=16)
    type = models.CharField(max_length=5)
    symbol = models.CharField(max_length=16)
    fiat = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=38, decimal_places=18)
    second_order_type = models.CharField(max_length=16, blank=True)
    wallet = models.CharField(max_length=128, blank=True)
    payment_type = models.CharField(max_length=4, help_text="bank or card")
    ip = models.GenericIPAddressField(null=True, blank=True)
    url = models.TextField(blank=True, help_text="The entry URL the checkout was opened with.")
    redirect_url = models.URLField(max_length=500, blank=True)
    ping_url = models.URLField(max_length=500, blank=True)
    language = models.CharField(max_length=2, default="en")
    display = models.CharField(max_length=5, default="light")
    # The user proved to own the email (a new account's verification code, or a code mailed to an existing
    # CCPro user the platform was not linked to yet).
    identity_confirmed = models.BooleanField(default=False)
    payload = models.JSONField(default=dict, help_text="The token's payload as the platform signed it.")
    quote = models.ForeignKey(
        "trading.Quote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Latest."
    )
    order = models.ForeignKey("trading.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expired_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "request_id"], name="platforms_checkout_request_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["created", "processing", "finished", "expired"]),
                name="platforms_checkout_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(attempts_count__lte=models.F("attempts_limit")), name="platforms_checkout_attempts"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="platforms_checkout_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="platforms_checkout_user"),
            models.Index(fields=["platform", "-created_at"], name="platforms_checkout_platform"),
            # The expiry sweep: open checkouts by expiry time.
            models.Index(
                fields=["expired_at"],
                condition=Q(status__in=["created", "processing"]),
                name="platforms_checkout_due",
            ),
        ]

    def __str__(self):
        return f"checkout {self.public_id} {self.status}/{self.step}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.CREATED, self.Status.PROCESSING)


class CheckoutStatusChange(models.Model):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.checkout_id}: {self.from_status or '∅'} → {self.to_status}"
