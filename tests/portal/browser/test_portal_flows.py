"""The portal's main journeys in a real browser (Chromium), against the live server and real services."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import AccessToken, User
from accounts.services import access_token_create
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .conftest import mailed, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_with_mailed_code_reaches_dashboard(portal):
    portal.goto("/")
    screenshot(portal, "home")
    portal.get_by_role("link", name="Open an account").first.click()
    expect(portal.get_by_role("heading", name="Open an account")).to_be_visible()
    portal.get_by_label("First name").fill("Elena")
    portal.get_by_label("Last name").fill("Dumitrescu")
    portal.get_by_label("Email", exact=True).fill("elena@example.com")
    portal.get_by_label("Date of birth").fill("1988-09-14")
    portal.get_by_label("Country of residence (optional)").select_option("RO")
    portal.get_by_label("Password", exact=True).fill("elena-pass-2026")
    portal.get_by_label("Repeat the password").fill("elena-pass-2026")
    screenshot(portal, "signup")
    portal.get_by_role("button", name="Open account").click()

    expect(portal.get_by_role("heading", name="Verify your email address")).to_be_visible()
    expect(portal.get_by_label("Email", exact=True)).to_have_value("elena@example.com")
    screenshot(portal, "verify_email")
    portal.get_by_label("Verification code").fill(mailed(r"verification code is: ([A-Z0-9]+)").lower())
    portal.get_by_role("button", name="Verify email").click()

    expect(portal).to_have_url(re.compile(r"/dashboard$"))
    expect(portal.get_by_text("Your email address is verified. Welcome to CCPro.")).to_be_visible()
    expect(portal.get_by_role("heading", name="Hello, Elena")).to_be_visible()
    expect(portal.locator('[data-panel="kyc"]')).to_contain_text("Identity verification")
    assert User.objects.get(email="elena@example.com").is_active


def test_sign_in_failure_message_then_lockout(portal, settings):
    user = UserFactory(email="locked@example.com")
    sign_in(portal, user.email, "not the password")
    expect(portal.get_by_test_id("form-error")).to_have_text("Wrong password")
    expect(portal.get_by_label("Email", exact=True)).to_have_value(user.email)
    limit = int(settings.LOGIN_RATE_PER_ACCOUNT.split("/")[0])
    for _ in range(limit - 1):
        sign_in(portal, user.email, "not the password")
    sign_in(portal, user.email, DEFAULT_PASSWORD)  # the right password is refused while locked
    expect(portal.get_by_test_id("form-error")).to_have_text("Too many login attempts. Please try again later.")
    expect(portal).to_have_url(re.compile(r"/login$"))


def test_forgot_and_reset_password_through_the_mailed_link(portal):
    user = UserFactory(email="forgetful@example.com")
    portal.goto("/login")
    portal.get_by_role("link", name="Forgot your password?").click()
    portal.get_by_label("Email", exact=True).fill(user.email)
    portal.get_by_role("button", name="Email me a reset link").click()
    expect(portal.get_by_test_id("reset-sent")).to_contain_text(user.email)

    portal.goto(mailed(r"(http\S+/reset-password\?\S+)"))
    expect(portal.get_by_label("Email", exact=True)).to_have_value(user.email)
    portal.get_by_label("New password", exact=True).fill("reset-pass-2026")
    portal.get_by_label("Repeat the new password").fill("reset-pass-2026")
    screenshot(portal, "reset_password")
    portal.get_by_role("button", name="Change password").click()
    expect(portal.get_by_text("Your password has been changed. Sign in with the new one.")).to_be_visible()

    sign_in(portal, user.email, "reset-pass-2026")
    expect(portal.get_by_test_id("dashboard")).to_be_visible()


def test_change_password_on_the_security_page(portal):
    user = UserFactory(email="changer@example.com", first_name="Radu")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.get_by_role("link", name="Security").click()
    portal.get_by_label("Current password").fill("wrong password!")
    portal.get_by_label("New password", exact=True).fill("changed-pass-2026")
    portal.get_by_label("Repeat the new password").fill("changed-pass-2026")
    portal.get_by_role("button", name="Change password").click()
    expect(portal.locator(".field__error")).to_have_text("The current password is incorrect.")

    portal.get_by_label("Current password").fill(DEFAULT_PASSWORD)
    portal.get_by_label("New password", exact=True).fill("changed-pass-2026")
    portal.get_by_label("Repeat the new password").fill("changed-pass-2026")
    portal.get_by_role("button", name="Change password").click()
    expect(portal.get_by_text("Your password has been changed.")).to_be_visible()
    expect(portal.get_by_test_id("security-log")).to_contain_text("Password Changed")

    portal.get_by_role("button", name="Sign out").click()
    sign_in(portal, user.email, "changed-pass-2026")
    expect(portal.get_by_role("heading", name="Hello, Radu")).to_be_visible()


def test_revoke_an_access_token(portal):
    user = UserFactory(email="tokens@example.com")
    token, _ = access_token_create(user=user, ip="203.0.113.9")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.goto("/security")
    row = portal.locator(f'tr[data-token="{token.masked}"]')
    expect(row).to_contain_text(token.prefix)
    screenshot(portal, "security")
    row.get_by_role("button", name="Revoke").click()
    expect(portal.get_by_text("The access token has been revoked.")).to_be_visible()
    expect(portal.get_by_test_id("no-tokens")).to_be_visible()
    assert AccessToken.objects.get(pk=token.pk).revoked_at is not None


def test_close_account_initiate_then_abort(portal):
    user = UserFactory(email="leaving@example.com")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.get_by_role("link", name="Account", exact=True).click()
    portal.get_by_label("Confirm with your password").fill(DEFAULT_PASSWORD)
    portal.get_by_role("button", name="Close my account").click()
    expect(portal.get_by_test_id("close-scheduled")).to_be_visible()
    expect(portal.get_by_test_id("closing-banner")).to_be_visible()
    screenshot(portal, "account_close_scheduled")
    assert User.objects.get(pk=user.pk).self_deleted_at is not None

    portal.get_by_role("button", name="Keep my account").click()
    expect(portal.get_by_text("Closing your account has been cancelled.")).to_be_visible()
    expect(portal.get_by_test_id("closing-banner")).to_have_count(0)
    assert User.objects.get(pk=user.pk).self_deleted_at is None


def test_dashboard_on_a_phone_sized_screen(portal):
    user = UserFactory(email="phone@example.com", first_name="Ana", last_name="Popescu")
    portal.set_viewport_size({"width": 390, "height": 844})
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    expect(portal.get_by_test_id("dashboard")).to_be_visible()
    width = portal.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows sideways
