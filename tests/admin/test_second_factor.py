"""Staff reach the admin only with a second factor (TOTP, django-otp): password alone is not enough."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.staff_otp import staff_totp_enrol, totp_secret

from ..conftest import staff_login
from ..factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/accounts/user/", "/admin/kyc/kycreview/"]


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True, email="boss@example.com")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client, user, code=""):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": user.email, "password": DEFAULT_PASSWORD, "otp_device": "", "otp_token": code},
    )


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_password_only_session_is_sent_to_the_otp_login_page(staff, page):
    client = Client()
    client.force_login(staff)  # signed in (e.g. through the portal) but not verified by a second factor
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200 and 'name="otp_token"' in login_page.content.decode()


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_with_a_verified_second_factor_every_page_opens(staff, page):
    assert staff_login(Client(), staff).get(page).status_code == 200


def test_staff_without_a_device_cannot_log_in_even_with_the_right_password(staff):
    client = Client()
    response = login(client, staff, code="123456")
    assert response.status_code == 200  # the login form again, with an error
    assert client.get("/admin/").status_code == 302


def test_the_right_code_logs_in_and_a_wrong_one_is_refused(staff):
    device = staff_totp_enrol(user=staff)
    client = Client()
    wrong = f"{(int(current_code(device)) + 1) % 10**6:06d}"
    response = login(client, staff, code=wrong)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    response = login(client, staff, code="")
    assert response.status_code == 200 and client.get("/admin/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above throttles the device for a second
    device.throttling_failure_timestamp = None
    device.save()
    response = login(client, staff, code=current_code(device))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_of_another_staff_members_device_is_refused(staff):
    other = staff_totp_enrol(user=UserFactory(is_staff=True))
    staff_totp_enrol(user=staff)
    client = Client()
    login(client, staff, code=current_code(other))
    assert client.get("/admin/").status_code == 302


def test_enrol_command_prints_the_otpauth_uri_and_keeps_the_device_until_replaced(staff):
    out = StringIO()
    call_command("staff_totp_enrol", staff.email, stdout=out)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    uri = re.search(r"otpauth://totp/\S+", out.getvalue()).group(0)
    assert uri.startswith("otpauth://totp/CCPro%3Aboss%40example.com?secret=") and "issuer=CCPro" in uri
    assert f"secret: {totp_secret(device)}" in out.getvalue()
    call_command("staff_totp_enrol", staff.email, stdout=StringIO())
    assert list(TOTPDevice.objects.filter(user=staff)) == [device]
    call_command("staff_totp_enrol", staff.email, "--replace", stdout=StringIO())
    (replaced,) = TOTPDevice.objects.filter(user=staff)
    assert replaced.pk != device.pk and replaced.key != device.key


def test_enrol_command_refuses_non_staff_and_unknown_users(user):
    with pytest.raises(CommandError, match="Only staff"):
        call_command("staff_totp_enrol", user.email, stdout=StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("staff_totp_enrol", "nobody@example.com", stdout=StringIO())
    assert not TOTPDevice.objects.exists()
