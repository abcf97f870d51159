"""Staff see notifications and the delivery log in the admin; nothing there can be edited or deleted."""

import pytest
from django.test import Client

from notifications.models import Delivery, Notification
from tests.conftest import staff_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    staff = UserFactory(is_staff=True, is_superuser=True)
    return staff_login(Client(), staff)


@pytest.fixture
def failed_sms(settings, notify, django_capture_on_commit_callbacks):
    """A notification whose SMS failed (backend raising) and whose mail was sent."""
    from ccpro.celery import app

    user = UserFactory(phone="40712345678")
    settings.SMS_BACKEND = "tests.notifications.test_admin.BrokenSmsBackend"
    previous, app.conf.task_eager_propagates = app.conf.task_eager_propagates, False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notification = notify(user)
    finally:
        app.conf.task_eager_propagates = previous
    return Delivery.objects.get(notification=notification, channel="sms")


class BrokenSmsBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("gateway down")


def test_notification_list_with_filters_and_detail(staff_client, user, notify):
    notification = notify(user)
    for query in ("", "?category=order", "?read_at__isempty=1", f"?q={user.email}", "?code=order_approved"):
        response = staff_client.get(f"/admin/notifications/notification/{query}")
        assert response.status_code == 200
        assert "Order Approved" in response.content.decode()
    assert "Order Approved" not in staff_client.get("/admin/notifications/notification/?category=kyc").content.decode()
    detail = staff_client.get(f"/admin/notifications/notification/{notification.pk}/change/")
    assert detail.status_code == 200 and "YN3DIS2F" in detail.content.decode()


def test_delivery_log_shows_attempts_and_errors_read_only(staff_client, failed_sms):
    listing = staff_client.get("/admin/notifications/delivery/?status__exact=failed")
    assert listing.status_code == 200 and "+40712345678" in listing.content.decode()
    detail = staff_client.get(f"/admin/notifications/delivery/{failed_sms.pk}/change/")
    page = detail.content.decode()
    assert detail.status_code == 200 and "gateway down" in page
    assert 'name="_save"' not in page  # read-only
    # Posting a change is refused and changes nothing.
    staff_client.post(f"/admin/notifications/delivery/{failed_sms.pk}/change/", {"status": "sent"})
    assert Delivery.objects.get(pk=failed_sms.pk).status == "failed"
    assert staff_client.get("/admin/notifications/notification/add/").status_code == 403
    assert (
        staff_client.post(f"/admin/notifications/delivery/{failed_sms.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Delivery.objects.filter(pk=failed_sms.pk).exists()


def test_send_again_action_retries_a_failed_delivery(
    staff_client, failed_sms, settings, django_capture_on_commit_callbacks
):
    from notifications.sms.backends import locmem

    assert failed_sms.attempts == 9  # the first try and 8 automatic retries
    settings.SMS_BACKEND = "notifications.sms.backends.locmem.SmsBackend"  # the gateway is back
    sent = Delivery.objects.get(notification=failed_sms.notification, channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/notifications/delivery/",
            {"action": "send_again", "_selected_action": [failed_sms.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 delivery(ies) queued again." in response.content.decode()
    failed_sms.refresh_from_db()
    assert failed_sms.status == "sent" and failed_sms.attempts == 10
    assert failed_sms.attempt_log.last().succeeded
    assert len(locmem.outbox) == 1
    assert Notification.objects.count() == 1


def test_non_staff_cannot_open_the_admin(user):
    client = Client()
    client.force_login(user)
    response = client.get("/admin/notifications/delivery/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
