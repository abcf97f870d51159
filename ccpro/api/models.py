from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first answer to a money-moving POST sent with an `Idempotency-Key` header, replayed to its retries.

    A row is written in the same database transaction as the request's own effects and committed with them
    (see ccpro/api/idempotency.py), so a committed row always carries the final status and body.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and canonical body: a retry must be the very same request.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    status_code = models.PositiveSmallIntegerField()
    # The JSON body as first sent (text, so a replay renders byte for byte the same; jsonb reorders keys).
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_unique")]

    def __str__(self):
        return f"{self.user_id}:{self.key} → {self.status_code}"
