import pytest

from notifications.services import notification_create


@pytest.fixture
def notify():
    """Create a notification the way other apps do (deliveries are queued only if the caller commits)."""

    def create(user, event="order_approved", meta=None, context=None):
        meta = {"id": "e8dfeb1f-b69f-441c-bcee-027ed11f417a", "publicId": "YN3DIS2F"} if meta is None else meta
        return notification_create(user=user, event=event, meta=meta, context=context or {})

    return create
