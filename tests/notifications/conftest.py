import pytest

from notifications.services import notification_create


@pytest.fixture
def notify():
    """Create a notification the way other apps do (deliveries are queued only if the caller commits)."""

    def create(user, event="order_approved", meta=None, context=None):
        meta = {"id": "e8dfeb1f-b69f-441c-bcee-027ed11f417a", "publicId": "YN3DIS2F"} if meta is None else meta
        return notification_create(user=user, event=event, meta=meta, context=context or {})

    return create


@pytest.fixture
def equipped():
    """Give a user a confirmed wallet, card and bank, so the `*_unavailable` permanent entries are off."""
    from tests.instruments.conftest import make_bank, make_card, make_wallet

    def equip(user):
        make_wallet(user, status="CONFIRMED")
        make_card(user, status="CONFIRMED")
        make_bank(user, status="CONFIRMED")
        return user

    return equip
