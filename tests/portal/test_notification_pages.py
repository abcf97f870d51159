"""Notifications inbox and the dashboard's unread panel over HTTP (the API's selectors and service)."""

import pytest

from notifications.models import Notification
from notifications.services import notification_create

from .conftest import csrf_post, signed_in

pytestmark = pytest.mark.django_db


def _notify(user, n=1):
    for i in range(n):
        notification_create(user=user, event="order_approved", meta={"publicId": f"ORDER{i:03}"})


def test_inbox_lists_newest_first_and_filters(web, user):
    _notify(user, 2)
    first = Notification.objects.filter(user=user).order_by("created_at").first()
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    signed_in(web, user)
    page = web.get("/notifications").content.decode()
    assert "You have 1 unread notification." in page
    assert page.index("ORDER001") < page.index("ORDER000")
    unread = web.get("/notifications?type=unread").content.decode()
    assert "ORDER001" in unread and "ORDER000" not in unread
    read = web.get("/notifications?type=read").content.decode()
    assert "ORDER000" in read and "ORDER001" not in read
    assert web.get("/notifications?type=bogus").status_code == 200  # an unknown filter shows everything
    assert web.get("/notifications?page=x").status_code == 302


def test_mark_all_as_read(web, user, other_user):
    _notify(user, 3)
    _notify(other_user, 1)
    signed_in(web, user)
    response = csrf_post(web, "/notifications/mark-as-read")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other_user, read_at__isnull=True).count() == 1
    page = web.get("/notifications").content.decode()
    assert "3 notifications marked as read." in page and "You have 0 unread notifications." in page


def test_mark_as_read_needs_post_and_csrf(web, user):
    _notify(user)
    signed_in(web, user)
    assert web.get("/notifications/mark-as-read").status_code == 405
    assert web.post("/notifications/mark-as-read").status_code == 403  # no CSRF token
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1


def test_dashboard_panel_shows_the_newest_unread(web, user):
    signed_in(web, user)
    assert 'data-testid="panel-no-unread"' in web.get("/dashboard").content.decode()
    _notify(user, 7)
    page = web.get("/dashboard").content.decode()
    assert "7 unread" in page
    assert "ORDER006" in page and "ORDER002" in page and "ORDER001" not in page  # the five newest


def test_inbox_shows_what_to_do(web, user):
    user.phone = "40721234567"
    user.save()
    signed_in(web, user)
    page = web.get("/notifications").content.decode()
    assert 'data-testid="todo"' in page
