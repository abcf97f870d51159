import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_PLATFORM_CODE = "CCPRO"


class Platform(models.Model):
    """A partner (exchange, wallet, web shop) integrating CCPro; `CCPRO` is the house platform."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=191)
    base_url = models.URLField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.code} — {self.name}"


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
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.user_id} @ {self.platform_id}"
