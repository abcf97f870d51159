"""Portal sign-up, verification, sign-in/out and forgotten password, through HTTP like a browser (no JS)."""

import pytest
from django.core import mail

from accounts.models import AccessToken, SecurityEvent, User

from ..factories import DEFAULT_PASSWORD, UserFactory
from .conftest import csrf_post, last_mail_link, mailed_code

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Ioana",
    "last_name": "Marin",
    "email": "Ioana@Example.com",
    "date_of_birth": "1991-04-02",
    "phone": "40721234567",
    "country": "RO",
    "password": "s3cure-pass",
    "password_confirmation": "s3cure-pass",
}


def test_front_page_for_visitors_and_redirect_for_users(web, user):
    response = web.get("/")
    assert response.status_code == 200
    assert b"Open an account" in response.content
    web.force_login(user)
    assert web.get("/").headers["Location"] == "/dashboard"


def test_dashboard_needs_sign_in(web):
    response = web.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/dashboard"


def test_signup_verify_with_code_signs_in(web):
    response = csrf_post(web, "/signup", SIGNUP)
    assert response.status_code == 302
    assert response.headers["Location"] == "/verify-email?email=ioana%40example.com"
    user = User.objects.get(email="ioana@example.com")
    assert (user.source, user.is_active, user.country, user.phone) == ("portal", False, "RO", "40721234567")
    assert user.platform_links.exists()  # the same registration as the API: linked to the house platform
    code = mailed_code(mail.outbox[-1])

    response = csrf_post(web, "/verify-email", {"email": user.email, "code": code.lower()})
    assert response.headers["Location"] == "/dashboard"
    page = web.get("/dashboard")
    assert page.status_code == 200
    assert b"Ioana Marin" in page.content
    assert b'data-panel="kyc"' in page.content
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at
    codes = list(SecurityEvent.objects.filter(user=user).values_list("code", flat=True))
    assert codes == ["login_success", "email_verified"]


def test_signup_errors_are_the_api_rules(web):
    data = {**SIGNUP, "first_name": "", "date_of_birth": "2020-01-01", "password_confirmation": "other-pass"}
    response = csrf_post(web, "/signup", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["first_name"] == ["The first name field is required."]
    assert form.errors["date_of_birth"][0].startswith("The date of birth must be a date before or equal to")
    assert form.errors["password_confirmation"] == ["The password confirmation does not match."]
    assert b'aria-invalid="true"' in response.content
    assert not User.objects.exists()

    UserFactory(email="ioana@example.com")
    response = csrf_post(web, "/signup", SIGNUP)
    assert response.context["form"].errors["email"] == ["The email has already been taken."]


def test_mailed_verification_link_opens_filled_form_and_elsewhere_leads_to_sign_in(web, client):
    csrf_post(web, "/signup", SIGNUP)
    link = last_mail_link("/verify-email")
    # Opening the link changes nothing by itself (mail scanners follow links); one click confirms.
    page = client.get(link)
    assert page.status_code == 200
    assert not User.objects.get(email="ioana@example.com").is_active
    form = page.context["form"]
    response = csrf_post(client, "/verify-email", {"email": form["email"].value(), "code": form["code"].value()})
    assert response.headers["Location"] == "/login?email=ioana%40example.com"  # another browser: sign in
    assert User.objects.get(email="ioana@example.com").is_active


def test_wrong_code_and_resend(web):
    csrf_post(web, "/signup", SIGNUP)
    response = csrf_post(web, "/verify-email", {"email": "ioana@example.com", "code": "ZZZZZZ"})
    assert response.context["form"].errors["code"] == ["The selected Code is invalid."]
    response = csrf_post(web, "/verify-email/resend", {"email": "ioana@example.com"}, follow=True)
    assert b"We emailed you a new verification code." in response.content
    assert len(mail.outbox) == 2
    response = csrf_post(web, "/verify-email/resend", {"email": "ioana@example.com"}, follow=True)
    assert b"You can resubmit email verification once per day." in response.content


def test_login_and_logout(web, user):
    response = csrf_post(web, "/login?next=/security", {"email": user.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/security"
    assert web.get("/dashboard").status_code == 200
    assert not AccessToken.objects.exists()  # a session, not an API token
    token = web.cookies["csrftoken"].value
    response = web.post("/logout", {"csrfmiddlewaretoken": token})
    assert response.headers["Location"] == "/login"
    assert web.get("/dashboard").status_code == 302
    codes = list(SecurityEvent.objects.filter(user=user).values_list("code", flat=True))
    assert codes == ["logout", "login_success"]


def test_login_refuses_foreign_next(web, user):
    response = csrf_post(web, "/login?next=https://evil.example/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_login_needs_csrf(web, user):
    response = web.post("/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert not SecurityEvent.objects.exists()


def test_wrong_password_message(web, user):
    response = csrf_post(web, "/login", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Wrong password"]
    assert SecurityEvent.objects.get(user=user).code == "login_failed"
    response = csrf_post(web, "/login", {"email": "", "password": ""})
    assert response.context["form"].errors["email"] == ["The email field is required."]


def test_lockout_is_shared_with_the_api(web, api, user, settings):
    limit = int(settings.LOGIN_RATE_PER_ACCOUNT.split("/")[0])
    for _ in range(limit - 1):
        api.post("/api/v1/authenticate", {"email": user.email, "password": "wrong"}, format="json")
    response = csrf_post(web, "/login", {"email": user.email, "password": "wrong"})
    assert response.context["form"].non_field_errors() == ["Wrong password"]
    response = csrf_post(web, "/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.context["form"].non_field_errors() == ["Too many login attempts. Please try again later."]
    assert web.get("/dashboard").status_code == 302
    api_response = api.post("/api/v1/authenticate", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert api_response.status_code == 429


def test_unverified_user_is_sent_to_verification(web):
    user = UserFactory(is_active=False, email_verified_at=None)
    response = csrf_post(web, "/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"].startswith("/verify-email?email=")
    assert web.get("/dashboard").status_code == 302
    assert not SecurityEvent.objects.filter(code="login_success").exists()


def test_forgot_and_reset_password_with_mailed_link(web, user):
    AccessToken.objects.create(user=user, token_hash="x" * 64, prefix="p" * 14, expires_at="2999-01-01T00:00Z")
    response = csrf_post(web, "/forgot-password", {"email": user.email})
    assert response.status_code == 200
    assert b"We emailed a password reset link" in response.content
    link = last_mail_link("/reset-password")
    form = web.get(link).context["form"]
    data = {
        "email": form["email"].value(),
        "token": form["token"].value(),
        "password": "brand-new-pass",
        "password_confirmation": "brand-new-pass",
    }
    response = csrf_post(web, "/reset-password", data)
    assert response.headers["Location"].startswith("/login?email=")
    user.refresh_from_db()
    assert user.check_password("brand-new-pass")
    assert not AccessToken.objects.filter(revoked_at__isnull=True).exists()
    response = csrf_post(web, "/reset-password", data)  # single use
    assert response.context["form"].errors["token"] == ["The token is invalid."]


def test_forgot_password_unknown_email(web):
    response = csrf_post(web, "/forgot-password", {"email": "nobody@example.com"})
    assert response.context["form"].errors["email"] == ["The email was not found."]
    assert not mail.outbox
