import re

import pytest

from accounts.models import AccessToken

from ..conftest import client_for
from ..factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def forgot(api, capture, email, **extra):
    with capture(execute=True):
        return api.post("/api/v1/user/forgot-password", {"email": email, **extra}, format="json")


def test_forgot_then_reset_with_text_token(api, user, mailoutbox, django_capture_on_commit_callbacks):
    session = client_for(user)
    response = forgot(api, django_capture_on_commit_callbacks, user.email)
    assert response.status_code == 200
    assert response.json() == {"data": {"message": "The password reset process has started."}}
    token = re.search(r"reset token is: (\w+)", mailoutbox[0].body).group(1)
    response = api.post(
        "/api/v1/user/reset-password",
        {"email": user.email, "token": token, "password": "a-new-password"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"message": "The password has been successfully changed."}}
    user.refresh_from_db()
    assert user.check_password("a-new-password")
    assert session.get(f"/api/v1/user/{user.pk}").status_code == 401  # every token revoked
    assert not AccessToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    # single use
    again = api.post(
        "/api/v1/user/reset-password",
        {"email": user.email, "token": token, "password": "another-password"},
        format="json",
    )
    assert again.status_code == 422


def test_forgot_with_link_type_mails_portal_link(api, user, mailoutbox, django_capture_on_commit_callbacks):
    forgot(api, django_capture_on_commit_callbacks, user.email, type="link")
    assert "/reset-password?email=" in mailoutbox[0].body
    assert "&amp;" not in mailoutbox[0].body


def test_forgot_unknown_email_422(api):
    response = api.post("/api/v1/user/forgot-password", {"email": "nobody@example.com"}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"email": ["The email was not found."]},
    }


def test_forgot_invalid_type_422(api, user):
    response = api.post("/api/v1/user/forgot-password", {"email": user.email, "type": "sms"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"type": ["The selected type is invalid."]}


def test_reset_with_wrong_token_422_and_password_unchanged(api, user):
    response = api.post(
        "/api/v1/user/reset-password",
        {"email": user.email, "token": "WRONGTOKEN", "password": "a-new-password"},
        format="json",
    )
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {"token": ["The token is invalid."]}}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_reset_short_password_422(api, user):
    response = api.post(
        "/api/v1/user/reset-password", {"email": user.email, "token": "X", "password": "short"}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"password": ["The password must be at least 8 characters."]}


def test_forgot_password_mail_is_rate_limited(api, user, django_capture_on_commit_callbacks):
    statuses = [forgot(api, django_capture_on_commit_callbacks, user.email).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
