"""Demo notifications for the verified demo user (see accounts/demo.py), created through the service."""

from accounts.demo import VERIFIED
from accounts.models import User

from .models import Notification
from .services import notification_create

DEMO_EVENTS = [
    ("order_approved", {"id": "e8dfeb1f-b69f-441c-bcee-027ed11f417a", "publicId": "YN3DIS2F"}, {}),
    ("deposit_received", {}, {"amount": "250.00", "asset": "EUR"}),
    ("kyc_accepted", {}, {"step": "personal data"}),
]


def seed() -> list[str]:
    user = User.objects.filter(email=VERIFIED[0]).first()
    if user is None:
        return []
    if not Notification.objects.filter(user=user).exists():
        for event, meta, context in DEMO_EVENTS:
            notification_create(user=user, event=event, meta=meta, context=context)
        # One already read, so the inbox shows both states.
        first = Notification.objects.filter(user=user).order_by("created_at").first()
        Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return [f"notifications: {VERIFIED[0]} has {unread} unread (GET user/<id>/notifications/temporary)"]
