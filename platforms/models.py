import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

DEFAULT_PLATFORM_CODE = "CCPRO"

COLOR_CODE_RE = r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$"
color_code_validator = RegexValidator(COLOR_CODE_RE, "The color code format is invalid.")


class JwtAlgorithm(models.TextChoices):
    """What a platform may sign its JWTs with (spec README); RS512 unless staff choose otherwise."""

    RS512 = "RS512"
    RS384 = "RS384"
    RS256 = "RS256"
    HS512 = "HS512"
    HS384 = "HS384"
    HS256 = "HS256"


RSA_ALGORITHMS = frozenset({JwtAlgorithm.RS512, JwtAlgorithm.RS384, JwtAlgorithm.RS256})


class Platform(models.Model):
    """A partner (exchange, wallet, web shop) integrating CCPro; `CCPRO` is the house platform.

    Write platforms through save()/delete() (or call trading.selectors.market_config_invalidate() after a
    QuerySet.update or a data migration): every process keeps a catalogue of them per configuration version,
    and whether any platform has an `ien_url` decides there whether quote events are announced at all."""

    class IenType(models.TextChoices):
        JWT = "jwt"
        HMAC = "hmac"

    class PeriodType(models.TextChoices):
        DAYS = "DAYS"
        MONTHS = "MONTHS"
        YEARS = "YEARS"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=191)
    base_url = models.URLField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    color_code = models.CharField(max_length=7, default="#333246", validators=[color_code_validator])
    # Instant event notifications: where CCPro POSTs events, and how it signs them.
    ien_url = models.URLField(max_length=255, blank=True)
    ien_type = models.CharField(max_length=4, choices=IenType.choices, default=IenType.JWT)
    # Integrations the platform uses (`integrations` of Platform Show).
    api_enabled = models.BooleanField(default=True)
    partner_enabled = models.BooleanField(default=False)
    partner_url = models.URLField(max_length=255, blank=True)
    checkout_enabled = models.BooleanField(default=False)
    widget_enabled = models.BooleanField(default=False)
    widget_url = models.URLField(max_length=255, blank=True)
    # `reference`: the fiat and period the platform's volumes are reported in.
    reference_fiat = models.CharField(max_length=8, default="EUR")
    reference_period_type = models.CharField(max_length=6, choices=PeriodType.choices, default=PeriodType.MONTHS)
    reference_period_value = models.PositiveSmallIntegerField(default=1)
    # How the platform signs its JWTs: RS* with one of its public keys (PlatformKey), HS* with `hmac_secret`.
    jwt_algorithm = models.CharField(max_length=5, choices=JwtAlgorithm.choices, default=JwtAlgorithm.RS512)
    # Shared secret: verifies HS* JWTs from the platform and signs `hmac` instant event notifications.
    hmac_secret = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(color_code__regex=COLOR_CODE_RE), name="platforms_color_code_format"),
            models.CheckConstraint(condition=Q(ien_type__in=["jwt", "hmac"]), name="platforms_ien_type_valid"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class PlatformKey(models.Model):
    """An RSA public key a platform signs its JWTs with. A rotated key stays valid until `valid_until`."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="keys")
    public_key = models.TextField(help_text="PEM-encoded RSA public key, at least 2048 bits.")
    bits = models.PositiveIntegerField(editable=False)
    fingerprint = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the DER public key.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Empty: valid until rotated.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "fingerprint"], name="platforms_key_unique"),
            models.CheckConstraint(condition=Q(bits__gte=2048), name="platforms_key_min_bits"),
        ]

    def __str__(self):
        return f"{self.platform.code} RSA-{self.bits} {self.fingerprint[:16]}"

    def is_valid(self, now=None) -> bool:
        return self.valid_until is None or self.valid_until > (now or timezone.now())


class PlatformUserLink(models.Model):
    """A user's account at a platform (`externalPlatforms` of the profile)."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="user_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_links")
    external_user_id = models.CharField(max_length=191, blank=True)
    email = models.EmailField(max_length=191, blank=True)
    username = models.CharField(max_length=191, blank=True)
    referral_id = models.CharField(max_length=191, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "user"], name="platforms_link_unique_user")]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["platform", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.platform_id}"


class PlatformStaff(models.Model):
    """A person of the platform's team with a role (`GET platform/{platform}/staff`)."""

    class Role(models.TextChoices):
        SUPERADMIN = "superadmin"
        ADMIN = "admin"
        SUPPORT = "support"
        VIEWER = "viewer"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "platform staff"
        constraints = [models.UniqueConstraint(fields=["platform", "user"], name="platforms_staff_unique_user")]

    def __str__(self):
        return f"{self.user_id} {self.role} @ {self.platform_id}"


class IenEvent(models.Model):
    """The outbox of instant event notifications: one row per event, written in the transaction that caused it.

    `event_id` is the id the receiver sees on every attempt (so it can de-duplicate). Events of one object
    (`stream`) are delivered in `id` order: an event waits while an earlier one of its stream is pending."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    # The primary key is the delivery order; `event_id` is what the receiver sees.
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="ien_events")
    type = models.CharField(max_length=64)
    stream = models.CharField(max_length=128, help_text="The object the event is about, e.g. `kyc:<user id>`.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField(help_text="Retries stop after this; staff can still send it again.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="platforms_ien_due"),
            models.Index(fields=["platform", "stream", "id"], name="platforms_ien_stream"),
        ]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class IenCall(models.Model):
    """One HTTP attempt to deliver an event (`GET platform/{platform}/call`)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="ien_calls")
    event = models.ForeignKey(IenEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls")
    endpoint = models.CharField(max_length=255)
    verb = models.CharField(max_length=8, default="POST")
    request = models.TextField()
    status = models.CharField(max_length=3, blank=True, help_text="HTTP status; empty when none came back.")
    response = models.TextField(blank=True)
    error = models.CharField(max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["platform", "-created_at"], name="platforms_call_recent")]

    def __str__(self):
        return f"{self.verb} {self.endpoint} → {self.status or self.error}"


# The checkout widget's models live in their own module (platforms/checkout_models.py).
from .checkout_models import Checkout, CheckoutStatusChange  # noqa: E402, F401
