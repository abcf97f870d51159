"""KYC: the levels each platform defines, each user's verification items, their history and the audit trail.

Personal data and address stay on `accounts.User` (first_name, last_name, date_of_birth, country, city, zip_code,
street, phone), where registration and the profile already read them; the KYC item rows carry the review status
of those data, and every submission is copied into `KycSubmission` so earlier versions stay visible to staff.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

# The items a level may require, in the order a user is asked for them (issue 7).
LEVEL_ITEMS = (
    "email",
    "phone",
    "governmentIdFront",
    "governmentIdBack",
    "passport",
    "utilityBill",
    "selfieWithId",
    "video",
    "enhancedDueDiligence",
    "extendedProofOfFunds",
)
DOCUMENT_TYPES = ("governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId")


class KycLevel(models.Model):
    """One level of a platform's KYC ladder: the items it requires and what a user at it may buy/sell per the
    platform's reference period (`Platform.reference_fiat/period_type/period_value`)."""

    platform = models.ForeignKey("platforms.Platform", on_delete=models.CASCADE, related_name="kyc_levels")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=64)
    required = models.JSONField(default=list, help_text=f"Items, among: {', '.join(LEVEL_ITEMS)}.")
    max_buy = models.DecimalField(max_digits=20, decimal_places=2)
    max_sell = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        ordering = ["platform", "number"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "number"], name="kyc_level_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="kyc_level_number_positive"),
            models.CheckConstraint(condition=Q(max_buy__gte=0, max_sell__gte=0), name="kyc_level_max_not_negative"),
        ]

    def __str__(self):
        return f"{self.platform_id} level {self.number} ({self.name})"


class RejectReason(models.Model):
    """The maintained catalogue of rejection reasons shown to users as `rejectReason {code, message}`."""

    code = models.SlugField(max_length=64, primary_key=True)
    message = models.CharField(max_length=255)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class ItemStatus(models.TextChoices):
    NOT_COMPLETED = "NOT COMPLETED"
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class ItemKind(models.TextChoices):
    PERSONAL = "personal"
    ADDRESS = "address"
    PHONE = "phone"
    GOVERNMENT_ID_FRONT = "governmentIdFront"
    GOVERNMENT_ID_BACK = "governmentIdBack"
    PASSPORT = "passport"
    UTILITY_BILL = "utilityBill"
    SELFIE_WITH_ID = "selfieWithId"
    EXTENDED_PROOF_OF_FUNDS = "extendedProofOfFunds"
    VIDEO = "video"
    EDD = "enhancedDueDiligence"


class KycItem(models.Model):
    """A user's verification item and its review status. One row per kind, except extended proofs of funds
    (a list). Status changes only through `kyc.services` transition functions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kyc_items")
    kind = models.CharField(max_length=24, choices=ItemKind.choices)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.NOT_COMPLETED)
    # {field: reason code} for personal/address/EDD fields; {"file": code} for documents; {"call": code} for video.
    reject_reasons = models.JSONField(default=dict, blank=True)
    # The submitted values (EDD answers and file ids, the scheduled video call); personal data and address live
    # on the user.
    data = models.JSONField(default=dict, blank=True)
    file = models.ForeignKey("uploads.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "kind", "created_at"]
        verbose_name = "KYC item"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], condition=~Q(kind="extendedProofOfFunds"), name="kyc_item_unique_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["NOT COMPLETED", "PENDING", "ACCEPTED", "REJECTED"]), name="kyc_item_status"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        permissions = [("decide_kycitem", "Can accept or reject KYC items")]

    def __str__(self):
        return f"{self.kind} of {self.user_id}: {self.status}"


class KycSubmission(models.Model):
    """Every submission of an item, kept as sent (append-only): the history staff review against."""

    item = models.ForeignKey(KycItem, on_delete=models.CASCADE, related_name="submissions")
    data = models.JSONField(default=dict, blank=True)
    file = models.ForeignKey("uploads.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.item.kind} submission {self.created_at:%Y-%m-%d %H:%M}"


class KycAuditEntry(models.Model):
    """Who changed what in a user's KYC, when, before/after. Written by the services only; the admin shows it
    read-only to everybody (no add, change or delete permission is ever granted)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kyc_audit")
    item = models.ForeignKey(KycItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    kind = models.CharField(max_length=24)
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="kyc_actions"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "KYC audit entry"
        verbose_name_plural = "KYC audit trail"

    def __str__(self):
        return f"{self.action} {self.kind} of {self.user_id}"


class KycState(models.Model):
    """The user's level as last computed (recomputed on every submission and decision), for staff filters and
    quick reads; the API computes it afresh from the items."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kyc_state")
    level = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user_id} level {self.level}"


class PhoneVerification(models.Model):
    """An SMS code sent to a number: stored hashed, expiring, with limited attempts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = models.CharField(max_length=16, help_text="E.164 without the leading +.")
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    resend = models.BooleanField(default=False, help_text="Sent by phone/reverify (once a day).")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["phone", "-created_at"])]

    def __str__(self):
        return f"+{self.phone} for {self.user_id}"


class StaffAvailability(models.Model):
    """A window in which a staff member takes KYC video calls."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_availability")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "staff availability"
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="kyc_avail_order")]

    def __str__(self):
        return f"{self.staff} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class VideoCall(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        DONE = "done"
        CANCELLED = "cancelled"

    class Outcome(models.TextChoices):
        PASSED = "passed"
        FAILED = "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kyc_video_calls")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kyc_calls_taken")
    scheduled_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    outcome = models.CharField(max_length=6, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheduled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "scheduled_at"], condition=Q(status="scheduled"), name="kyc_call_staff_slot_unique"
            )
        ]

    def __str__(self):
        return f"call {self.user} {self.scheduled_at:%Y-%m-%d %H:%M} ({self.status})"


class KycReview(User):
    """The compliance review of one user (a proxy of the user, so the back office has its own queue and page)."""

    class Meta:
        proxy = True
        verbose_name = "KYC review"
        verbose_name_plural = "KYC review queue"
