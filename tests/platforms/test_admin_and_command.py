"""platform_create, the admin's key management and the demo seed."""

import io
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from platforms import demo
from platforms.keys import public_key_pem
from platforms.models import Platform, PlatformKey

pytestmark = pytest.mark.django_db


def test_platform_create_prints_the_private_key_once():
    out = io.StringIO()
    call_command("platform_create", "acme", "Acme Shop", "--base-url", "https://acme.example/", stdout=out)
    platform = Platform.objects.get(code="ACME")
    text = out.getvalue()
    assert str(platform.pk) in text and "BEGIN PRIVATE KEY" in text
    private_pem = text[text.index("-----BEGIN PRIVATE KEY-----") :].strip()
    assert "PRIVATE" not in PlatformKey.objects.get(platform=platform).public_key
    token = jwt.encode({"platform": str(platform.pk), "expire": int(time.time()) + 60}, private_pem, "RS512")
    assert APIClient().get(f"/api/v1/platform/{platform.pk}", HTTP_TOKEN=token).status_code == 200
    with pytest.raises(CommandError):
        call_command("platform_create", "ACME", "Again", stdout=io.StringIO())


def test_platform_create_can_write_the_key_to_a_file(tmp_path):
    target = tmp_path / "keys" / "shop.pem"
    out = io.StringIO()
    call_command(
        "platform_create", "FILESHOP", "File Shop", "--algorithm", "RS384", "--private-key-out", target, stdout=out
    )
    assert "BEGIN PRIVATE KEY" in target.read_text() and "BEGIN PRIVATE KEY" not in out.getvalue()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert Platform.objects.get(code="FILESHOP").jwt_algorithm == "RS384"


def _form(platform, **changes):
    data = {
        "code": platform.code,
        "name": platform.name,
        "base_url": platform.base_url,
        "color_code": platform.color_code,
        "active": "on",
        "jwt_algorithm": platform.jwt_algorithm,
        "hmac_secret": platform.hmac_secret,
        "ien_url": "",
        "ien_type": "jwt",
        "api_enabled": "on",
        "partner_url": "",
        "widget_url": "",
        "reference_fiat": "EUR",
        "reference_period_type": "MONTHS",
        "reference_period_value": "1",
        "new_public_key": "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("keys", "staff")
            for key, value in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
    }
    keys = list(platform.keys.all())
    data["keys-TOTAL_FORMS"] = data["keys-INITIAL_FORMS"] = str(len(keys))
    for i, key in enumerate(keys):
        data[f"keys-{i}-id"] = str(key.pk)
        data[f"keys-{i}-platform"] = str(platform.pk)
        data[f"keys-{i}-valid_until_0"] = ""
        data[f"keys-{i}-valid_until_1"] = ""
    data.update(changes)
    return data


def test_admin_refuses_weak_keys_and_rotates_on_a_new_one(admin_client, partner):
    platform, _ = partner
    url = f"/admin/platforms/platform/{platform.pk}/change/"
    assert admin_client.get(url).status_code == 200
    weak = public_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())
    response = admin_client.post(url, _form(platform, new_public_key=weak))
    assert response.status_code == 200 and "at least 2048 bits" in response.content.decode()
    assert platform.keys.count() == 1
    strong = public_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
    response = admin_client.post(url, _form(platform, new_public_key=strong))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert platform.keys.count() == 2
    assert platform.keys.filter(valid_until__isnull=True).count() == 1  # the old one is in its grace period


def test_admin_issue_key_pair_and_revoke(admin_client, partner):
    platform, _ = partner
    response = admin_client.post(
        "/admin/platforms/platform/", {"action": "issue_key_pair", "_selected_action": [platform.pk]}, follow=True
    )
    assert "BEGIN PRIVATE KEY" in response.content.decode()
    assert platform.keys.count() == 2
    old = platform.keys.exclude(valid_until__isnull=True).get()
    admin_client.post("/admin/platforms/platformkey/", {"action": "revoke_now", "_selected_action": [old.pk]})
    old.refresh_from_db()
    assert not old.is_valid()
    for page in ("platformkey", "ienevent", "iencall", "platformuserlink"):
        assert admin_client.get(f"/admin/platforms/{page}/").status_code == 200


def test_demo_seed_is_idempotent_and_its_key_works(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = demo.seed()
    second = demo.seed()
    platform = Platform.objects.get(code="DEMOSHOP")
    assert platform.keys.count() == 1 and str(tmp_path) in first[0] and first[0] == second[0]
    assert platform.user_links.count() == 2 and platform.staff.count() == 1
    token = first[2].split("'")[1].removeprefix("token: ")
    response = APIClient().get(f"/api/v1/platform/{platform.pk}/user", HTTP_TOKEN=token)
    assert response.status_code == 200 and len(response.json()["data"]) == 2
