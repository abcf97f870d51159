"""Portal security page (log, tokens, password) and account closing, through HTTP like a browser."""

import pytest
from django.test import Client

from accounts.models import AccessToken, SecurityEvent
from accounts.services import access_token_create

from ..factories import DEFAULT_PASSWORD, UserFactory
from .conftest import csrf_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(web, user):
    web.force_login(user)
    return web


def test_security_page_lists_log_and_live_tokens(session, user, other_user):
    SecurityEvent.objects.create(user=user, code="login_failed", ip="10.0.0.7")
    SecurityEvent.objects.create(user=other_user, code="login_failed", ip="10.0.0.99")
    mine, _ = access_token_create(user=user, ip="10.0.0.8")
    theirs, _ = access_token_create(user=other_user)
    response = session.get("/security")
    assert response.status_code == 200
    assert mine.masked.encode() in response.content
    assert theirs.prefix.encode() not in response.content
    assert b"10.0.0.7" in response.content and b"10.0.0.99" not in response.content


def test_revoke_own_token(session, user):
    token, _ = access_token_create(user=user)
    response = csrf_post(session, "/security/tokens/revoke", {"token": token.masked}, follow=True)
    assert b"The access token has been revoked." in response.content
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert SecurityEvent.objects.filter(user=user, code="token_invalidated").exists()


def test_cannot_revoke_another_users_token(session, other_user):
    token, _ = access_token_create(user=other_user)
    response = csrf_post(session, "/security/tokens/revoke", {"token": token.masked}, follow=True)
    assert b"This action is unauthorized." in response.content
    token.refresh_from_db()
    assert token.revoked_at is None


def test_change_password_keeps_this_session_ends_others(session, user):
    other_browser = Client()
    other_browser.force_login(user)
    access_token_create(user=user)
    data = {
        "current_password": DEFAULT_PASSWORD,
        "password": "a-new-password",
        "password_confirmation": "a-new-password",
    }
    response = csrf_post(session, "/security/password", data)
    assert response.headers["Location"] == "/security"
    user.refresh_from_db()
    assert user.check_password("a-new-password")
    assert session.get("/dashboard").status_code == 200
    assert other_browser.get("/dashboard").status_code == 302
    assert not AccessToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert SecurityEvent.objects.filter(user=user, code="password_changed").exists()


def test_change_password_wrong_current(session, user):
    data = {
        "current_password": "not my password",
        "password": "a-new-password",
        "password_confirmation": "a-new-password",
    }
    response = csrf_post(session, "/security/password", data)
    assert response.status_code == 422
    assert response.context["password_form"].errors["current_password"] == ["The current password is incorrect."]
    data["password"] = data["password_confirmation"] = "short"
    response = csrf_post(session, "/security/password", data)
    assert response.context["password_form"].errors["password"] == ["The new password must be at least 8 characters."]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_security_pages_need_sign_in(web, user):
    assert web.get("/security").headers["Location"] == "/login?next=/security"
    assert web.get("/account/close").status_code == 302
    response = csrf_post(web, "/account/close/abort")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_close_account_initiate_and_abort(session, user, mailoutbox):
    response = csrf_post(session, "/account/close/initiate", {"password": "wrong password"})
    assert response.status_code == 422
    assert response.context["form"].errors["password"] == ["The password is incorrect."]

    response = csrf_post(session, "/account/close/initiate", {"password": DEFAULT_PASSWORD}, follow=True)
    assert b"Closing your account has started." in response.content
    assert b'data-testid="close-scheduled"' in response.content
    user.refresh_from_db()
    assert user.self_deleted_at is not None
    assert mailoutbox[-1].to == [user.email]

    response = csrf_post(session, "/account/close/abort", follow=True)
    assert b"Closing your account has been cancelled." in response.content
    user.refresh_from_db()
    assert user.self_deleted_at is None

    # Once a day: the service's rule, shown as the form's message.
    response = csrf_post(session, "/account/close/initiate", {"password": DEFAULT_PASSWORD})
    assert response.context["form"].non_field_errors() == ["You can request Self Delete Account once per day."]


def test_deactivated_account_loses_its_session(session, user):
    from accounts.services import user_set_active

    user_set_active(user=user, active=False, staff=UserFactory(is_staff=True))
    assert session.get("/dashboard").status_code == 302
