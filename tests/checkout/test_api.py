"""Checkout Index/Show (the user's) and Platform Checkouts (the platform's), and the ping_url calls."""

import json

import jwt
import pytest
from django.test import TestCase

from platforms.checkout import checkout_transition
from platforms.checkout_models import Checkout
from platforms.keys import ien_public_key_pem
from platforms.models import IenCall
from platforms.services import platform_create

from ..conftest import client_for
from ..platforms.conftest import platform_client
from ..platforms.receiver import Receiver
from .conftest import buyer, entry_url, old_payload, sign

pytestmark = pytest.mark.django_db


def opened(widget, platform, pem, **kw):
    payload = old_payload(**kw)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = widget.get(entry_url(platform, sign(payload, pem)))
    assert response.status_code == 302, response.content[:800]
    return Checkout.objects.get(request_id=payload["payment"]["request_id"])


def test_user_checkouts_listed_filtered_and_shown_only_to_their_owner(shop, widget):
    platform, pem = shop
    user = buyer(platform)
    first = opened(widget, platform, pem)
    second = opened(widget, platform, pem)
    checkout_transition(checkout_id=second.pk, to_status="processing", step="kyc")
    api = client_for(user)

    body = api.get(f"/api/v1/user/{user.pk}/checkout").json()
    assert [c["id"] for c in body["data"]] == [str(second.pk), str(first.pk)]
    item = body["data"][0]
    assert item["publicId"] == second.public_id and item["status"] == "processing" and item["step"] == "kyc"
    assert item["attemptsQuote"] == {"count": 0, "limit": 3}
    assert item["requestId"] == second.request_id and item["paymentType"] == "bank" and item["ip"] is None
    assert item["redirectUrl"] == "https://shop.example/done" and item["pingUrl"] is None
    assert item["user"]["id"] == str(user.pk) and item["user"]["options"] == {"language": "en", "theme": "light"}
    assert item["externalPlatform"] == {"code": "SHOP", "name": "Shop", "url": "https://shop.example/"}
    assert item["expiredAt"] == int(second.expired_at.timestamp())

    created = api.get(f"/api/v1/user/{user.pk}/checkout", {"status": "created"}).json()["data"]
    assert [c["id"] for c in created] == [str(first.pk)]
    bad = api.get(f"/api/v1/user/{user.pk}/checkout", {"status": "expired-ish"})
    assert bad.status_code == 422 and "status" in bad.json()["errors"]

    shown = api.get(f"/api/v1/user/{user.pk}/checkout/{first.pk}").json()["data"]
    assert shown["id"] == str(first.pk) and "redirectUrl" not in shown and "pingUrl" not in shown
    assert api.get(f"/api/v1/user/{user.pk}/checkout/not-a-uuid").status_code == 404

    from ..factories import UserFactory

    stranger = client_for(UserFactory())
    assert stranger.get(f"/api/v1/user/{user.pk}/checkout").status_code == 409
    stranger_user = UserFactory()
    own_path = client_for(stranger_user).get(f"/api/v1/user/{stranger_user.pk}/checkout/{first.pk}")
    assert own_path.status_code == 404 and own_path.json() == {"message": "No query results."}


def test_platform_checkouts_are_scoped_to_the_platform(shop, widget):
    platform, pem = shop
    mine = opened(widget, platform, pem)
    other, other_pem = platform_create(code="OTHER", name="Other", checkout_enabled=True)
    theirs = opened(widget, other, other_pem, email="else@example.com")

    body = platform_client(platform, pem).get(f"/api/v1/platform/{platform.pk}/checkout").json()
    assert [c["id"] for c in body["data"]] == [str(mine.pk)]
    assert "externalPlatform" not in body["data"][0] and body["data"][0]["url"].startswith(
        "http://testserver/checkout/"
    )
    other_body = platform_client(other, other_pem).get(f"/api/v1/platform/{other.pk}/checkout").json()
    assert [c["id"] for c in other_body["data"]] == [str(theirs.pk)]
    # Another platform's token for this platform's path is refused.
    refused = platform_client(other, other_pem).get(f"/api/v1/platform/{platform.pk}/checkout")
    assert refused.status_code == 401 and refused.json() == {"message": "JWT payload invalid."}
    filtered = platform_client(platform, pem).get(f"/api/v1/platform/{platform.pk}/checkout", {"status": "finished"})
    assert filtered.json()["data"] == []


@pytest.fixture
def receiver(settings):
    settings.IEN_ALLOW_PRIVATE_HOSTS = True
    settings.IEN_TIMEOUT_SECONDS = 2
    found = Receiver().start()
    yield found
    found.stop()


def test_ping_url_gets_each_status_change_signed_and_logged(shop, widget, receiver):
    platform, pem = shop
    checkout = opened(widget, platform, pem, ping_url=receiver.url)
    with TestCase.captureOnCommitCallbacks(execute=True):
        checkout_transition(checkout_id=checkout.pk, to_status="processing", step="payment")
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert [b["data"]["status"] for b in bodies] == ["created", "processing"]
    assert {b["data"]["id"] for b in bodies} == {str(checkout.pk)} and bodies[0]["type"] == "checkout.ping"
    request = receiver.requests[-1]
    claims = jwt.decode(request["headers"]["token"], ien_public_key_pem(), algorithms=["RS512"])
    import hashlib

    assert claims["sha256"] == hashlib.sha256(request["body"]).hexdigest()
    calls = IenCall.objects.filter(platform=platform, endpoint=receiver.url)
    assert calls.count() == 2 and set(calls.values_list("status", flat=True)) == {"200"}


def test_ping_to_a_private_address_is_refused_by_default(shop, widget, settings):
    settings.IEN_ALLOW_PRIVATE_HOSTS = False
    platform, pem = shop
    opened(widget, platform, pem, ping_url="http://127.0.0.1:9/ping")
    call = IenCall.objects.get(platform=platform)
    assert call.status == "" and call.error.startswith("refused:")


def test_admin_lists_checkouts_and_expires_open_ones_through_the_transition(shop, widget, admin_client):
    platform, pem = shop
    checkout = opened(widget, platform, pem)
    listing = admin_client.get("/admin/platforms/checkout/")
    assert listing.status_code == 200 and checkout.public_id.encode() in listing.content
    assert admin_client.get(f"/admin/platforms/checkout/{checkout.pk}/change/").status_code == 200
    response = admin_client.post(
        "/admin/platforms/checkout/", {"action": "expire", "_selected_action": [str(checkout.pk)]}, follow=True
    )
    assert b"1 checkout(s) expired." in response.content
    checkout.refresh_from_db()
    assert checkout.status == "expired"
    assert checkout.status_changes.last().reason.startswith("staff ")
