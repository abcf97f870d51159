"""The demo staff accounts come with an admin second factor whose printed secret logs them in."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp

from accounts import demo as accounts_demo
from kyc import demo as kyc_demo

pytestmark = pytest.mark.django_db


def secrets_by_email(lines):
    found = {}
    for line in lines:
        match = re.search(r"second factor for (\S+): TOTP secret ([A-Z2-7]+)\s+\((otpauth://totp/\S+)\)", line)
        if match:
            found[match.group(1)] = (match.group(2), match.group(3))
    return found


def test_demo_staff_log_in_to_the_admin_with_the_printed_secret():
    lines = accounts_demo.seed() + kyc_demo.seed()
    printed = secrets_by_email(lines)
    assert set(printed) == {"admin@ccpro.local", "compliance@ccpro.local", "support@ccpro.local"}
    assert secrets_by_email(accounts_demo.seed() + kyc_demo.seed()) == printed  # seeding again keeps the devices
    for email, password in (accounts_demo.STAFF, kyc_demo.OFFICER, kyc_demo.SUPPORT):
        secret, uri = printed[email]
        assert f"secret={secret}" in uri
        code = f"{totp(b32decode(secret)):06d}"
        client = Client()
        form = {"username": email, "password": password, "otp_token": code}
        response = client.post("/admin/login/?next=/admin/", form)
        assert response.status_code == 302, email
        assert client.get("/admin/").status_code == 200
