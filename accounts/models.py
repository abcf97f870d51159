import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("is_active", True)
        fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Source(models.TextChoices):
        API = "api"
        PORTAL = "portal"
        PLATFORM = "platform"
        ADMIN = "admin"

    class Theme(models.TextChoices):
        LIGHT = "light"
        DARK = "dark"

    class Language(models.TextChoices):
        EN = "en"
        RO = "ro"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=191, unique=True)
    # `isActive` of the reference: false until the email is verified, and when staff deactivate the account.
    is_active = models.BooleanField(default=False)
    is_staff = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    trade_status = models.BooleanField(default=True, help_text="When false the user may not trade.")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    theme = models.CharField(max_length=5, choices=Theme.choices, default=Theme.LIGHT)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)

    first_name = models.CharField(max_length=191, blank=True)
    last_name = models.CharField(max_length=191, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=16, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=191, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    street = models.CharField(max_length=191, blank=True)

    # Set when the user asks to close the account; the account is anonymised after the grace period.
    self_deleted_at = models.DateTimeField(null=True, blank=True)
    self_delete_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return self.email

    @property
    def password_set(self) -> bool:
        return self.has_usable_password()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class AccessToken(models.Model):
    """A bearer token. Only the SHA-256 of the secret is stored; `prefix` is what listings show."""

    class Type(models.TextChoices):
        API = "api"
        PLATFORM = "platform"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=14, db_index=True)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.API)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self):
        return f"{self.prefix}… ({self.user_id})"

    @property
    def masked(self) -> str:
        return self.prefix + "X" * 24


class SecurityEvent(models.Model):
    """The user's security log: logins, password changes, token revocations, account closing."""

    class Code(models.TextChoices):
        LOGIN_SUCCESS = "login_success", "Login Success"
        LOGIN_FAILED = "login_failed", "Login Failed"
        LOGOUT = "logout", "Logout"
        PASSWORD_CHANGED = "password_changed", "Password Changed"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password Reset Requested"
        PASSWORD_RESET = "password_reset", "Password Reset"
        TOKEN_INVALIDATED = "token_invalidated", "Token Invalidated"
        EMAIL_VERIFIED = "email_verified", "Email Verified"
        SELF_DELETE_INITIATED = "self_delete_initiated", "Self Delete Initiated"
        SELF_DELETE_ABORTED = "self_delete_aborted", "Self Delete Aborted"
        ACCOUNT_CLOSED = "account_closed", "Account Closed"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Account Deactivated"
        ACCOUNT_ACTIVATED = "account_activated", "Account Activated"

    class Actor(models.TextChoices):
        USER = "User"
        STAFF = "Staff"
        SYSTEM = "System"
        PLATFORM = "Platform"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_events")
    code = models.CharField(max_length=40, choices=Code.choices)
    actor = models.CharField(max_length=16, choices=Actor.choices, default=Actor.USER)
    actor_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.code} {self.user_id}"


class OneTimeCode(models.Model):
    """An emailed code (email verification, password reset): stored hashed, expiring, with limited attempts."""

    class Purpose(models.TextChoices):
        EMAIL_VERIFY = "email_verify"
        PASSWORD_RESET = "password_reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-created_at"])]

    def __str__(self):
        return f"{self.purpose} for {self.user_id}"


# Banks, cards and withdrawal wallets (issue 5) live in their own module of this app.
from .instruments_models import Bank, Card, InstrumentStatus, InstrumentStatusChange, Wallet  # noqa: E402, F401
