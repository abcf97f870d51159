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


def test_mark_one_as_read_from_the_inbox(web, user):
    _notify(user, 3)
    target = Notification.objects.get(user=user, meta__publicId="ORDER001")
    signed_in(web, user)
    page = web.get("/notifications?type=unread").content.decode()
    assert page.count('class="note__action"') == 3 and f'action="/notifications/{target.pk}/read"' in page
    response = csrf_post(web, f"/notifications/{target.pk}/read", {"next": "/notifications?type=unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications?type=unread"
    target.refresh_from_db()
    assert target.read_at is not None
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 2
    unread = web.get("/notifications?type=unread").content.decode()
    assert "ORDER001" not in unread and "You have 2 unread notifications." in unread
    read = web.get("/notifications?type=read").content.decode()
    assert "ORDER001" in read and 'class="note__action"' not in read  # nothing to mark on a read one
    # Marking it again keeps the time it was first read.
    first_read = target.read_at
    assert csrf_post(web, f"/notifications/{target.pk}/read").status_code == 302
    target.refresh_from_db()
    assert target.read_at == first_read


def test_mark_one_as_read_only_the_owners_with_post_and_csrf(web, user, other_user):
    _notify(other_user)
    theirs = Notification.objects.get(user=other_user)
    _notify(user)
    mine = Notification.objects.get(user=user)
    signed_in(web, user)
    assert csrf_post(web, f"/notifications/{theirs.pk}/read").status_code == 404
    assert csrf_post(web, "/notifications/not-a-uuid/read").status_code == 404
    assert web.get(f"/notifications/{mine.pk}/read").status_code == 405
    assert web.post(f"/notifications/{mine.pk}/read").status_code == 403  # no CSRF token
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    # Only a path of this site is followed back; anything else goes to the inbox.
    response = csrf_post(web, f"/notifications/{mine.pk}/read", {"next": "https://evil.example/x"})
    assert response["Location"] == "/notifications"
    # Bare words are not view names to reverse (they used to raise NoReverseMatch, a 500), nor protocol-relative.
    for back in ("foo", "inbox", "stored-file", "//evil.example/x", "/\\evil.example"):
        response = csrf_post(web, f"/notifications/{mine.pk}/read", {"next": back})
        assert response.status_code == 302 and response["Location"] == "/notifications", back
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_one_as_read_from_the_dashboard_panel(web, user):
    _notify(user, 2)
    newest = Notification.objects.filter(user=user).order_by("-created_at").first()
    signed_in(web, user)
    panel = web.get("/dashboard").content.decode()
    assert f'action="/notifications/{newest.pk}/read"' in panel
    response = csrf_post(web, f"/notifications/{newest.pk}/read", {"next": "/dashboard"})
    assert response["Location"] == "/dashboard"
    assert "1 unread" in web.get("/dashboard").content.decode()


def test_mark_read_service_refuses_another_users_notification(user, other_user):
    from ccpro import errors
    from notifications.services import notification_mark_read

    _notify(other_user)
    theirs = Notification.objects.get(user=other_user)
    with pytest.raises(errors.NotFound):
        notification_mark_read(user=user, notification_id=theirs.pk)
    with pytest.raises(errors.NotFound):
        notification_mark_read(user=user, notification_id="junk")
    assert notification_mark_read(user=other_user, notification_id=str(theirs.pk)).read_at is not None
