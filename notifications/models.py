import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """A temporary notification of the user's inbox, worded in the user's language when it was created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: (user, -created_at) below serves every lookup by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    title = models.CharField(max_length=191)
    message = models.TextField()
    category = models.CharField(max_length=32)
    code = models.CharField(max_length=64)
    # The related object, as the reference shows it: {"id": uuid, "publicId": "YN3DIS2F"}.
    meta = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=2, default="en")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notif_user_created_idx"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notif_user_unread_idx"),
        ]

    def __str__(self):
        return f"{self.code} → {self.user_id}"


# The notification deliveries pending and never tried: the rows the pending-deliveries sweep looks at
# (notifications.services.deliveries_queue_pending) and the condition of its partial index.
UNSENT = models.Q(status="pending", attempts=0, notification__isnull=False)


class Delivery(models.Model):
    """One message to send on one channel: a notification's email or SMS, or an account mail (no notification).

    At most one per notification and channel, so a retried or duplicated task can never send twice: the
    sender locks this row and skips it once it is `sent`."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        SMS = "sms"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=191)
    template = models.CharField(max_length=64, help_text="Mail template, or the notification's code.")
    language = models.CharField(max_length=2, default="en")
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a `delivery_send_task` was published for it: at once for account mails and single notifications,
    # by the pending-deliveries sweep for a batch (services.deliveries_queue_pending); NULL = not yet handed out.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=models.Q(notification__isnull=False),
                name="notif_delivery_one_per_channel",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notif_delivery_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notif_delivery_status_idx"),
            # The 2 s sweep's rows, oldest first, without scanning every pending delivery.
            models.Index(fields=["created_at", "id"], condition=UNSENT, name="notif_delivery_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.recipient} ({self.status})"


class DeliveryAttempt(models.Model):
    """The log of every try of a delivery, successful or not (read-only for staff)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="notif_attempt_unique_number")]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"
