"""Instant event notifications against a real local HTTP receiver: signatures, retries with the same event id,
per-object order, the call log, the SSRF guard, staff re-sending."""

import hashlib
import hmac
import json
from datetime import timedelta

import jwt
import pytest
from django.db import transaction
from django.utils import timezone

from platforms import ien
from platforms.exceptions import IenUrlRefused
from platforms.models import IenCall, IenEvent
from platforms.services import ien_backoff_seconds, ien_dispatch_due, ien_emit, ien_resend

from .conftest import platform_client
from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ien_settings(settings, tmp_path):
    settings.IEN_ALLOW_PRIVATE_HOSTS = True
    settings.IEN_PRIVATE_KEY = ""
    settings.IEN_PRIVATE_KEY_FILE = str(tmp_path / "ien.pem")
    settings.IEN_TIMEOUT_SECONDS = 2


@pytest.fixture
def receiver():
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture
def shop(partner, receiver):
    platform, _ = partner
    platform.ien_url = receiver.url
    platform.save(update_fields=["ien_url"])
    return platform


def emit(platform, n=1, stream="order:1", on_commit=None, event_type="order.status"):
    events = []
    with on_commit(execute=True):
        for i in range(n):
            events.append(ien_emit(platform=platform, event_type=event_type, stream=stream, obj_payload={"n": i}))
    return events


def sweep(on_commit, minutes=120):
    """What Celery beat does every few seconds, at a time when every backoff has passed."""
    with on_commit(execute=True):
        return ien_dispatch_due(now=timezone.now() + timedelta(minutes=minutes))


def test_jwt_signed_event_verifies_with_the_published_key(shop, receiver, client, django_capture_on_commit_callbacks):
    (event,) = emit(shop, on_commit=django_capture_on_commit_callbacks)
    assert [r["path"] for r in receiver.requests] == ["/ien?src=ccpro"]
    request = receiver.requests[0]
    body = json.loads(request["body"])
    assert body == {
        "id": str(event.event_id),
        "type": "order.status",
        "platform": str(shop.pk),
        "createdAt": int(event.created_at.timestamp()),
        "data": {"n": 0},
    }
    public_key = client.get("/.well-known/ccpro-ien-public-key.pem").content.decode()
    assert "BEGIN PUBLIC KEY" in public_key
    claims = jwt.decode(request["headers"]["token"], public_key, algorithms=["RS512"])
    assert claims["event"] == str(event.event_id) and claims["platform"] == str(shop.pk)
    assert claims["sha256"] == hashlib.sha256(request["body"]).hexdigest()
    assert request["headers"]["X-CCPro-Event-Id"] == str(event.event_id)
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("delivered", 1)


def test_hmac_signed_event_verifies_with_the_shared_secret(shop, receiver, django_capture_on_commit_callbacks):
    shop.ien_type = "hmac"
    shop.save(update_fields=["ien_type"])
    emit(shop, on_commit=django_capture_on_commit_callbacks)
    headers, body = receiver.requests[0]["headers"], receiver.requests[0]["body"]
    timestamp = headers["X-CCPro-Timestamp"]
    expected = hmac.new(shop.hmac_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-CCPro-Signature"] == f"sha256={expected}"
    assert "token" not in {key.lower() for key in headers}


def test_receiver_down_then_up_gets_every_event_once_in_order(shop, receiver, django_capture_on_commit_callbacks):
    on_commit = django_capture_on_commit_callbacks
    receiver.stop()
    order_events = emit(shop, 3, stream="order:A", on_commit=on_commit)
    quote_events = emit(shop, 2, stream="quote:B", on_commit=on_commit)
    # Down: the first event of each object was tried and failed; the others wait for it.
    assert IenCall.objects.filter(status="").count() == 2
    sweep(on_commit)
    assert IenEvent.objects.filter(status="pending").count() == 5
    assert receiver.requests == []
    first = IenEvent.objects.get(pk=order_events[0].pk)
    assert first.attempts == 2 and first.next_attempt_at > timezone.now()

    receiver.start()
    sweep(on_commit)
    sweep(on_commit)
    received = receiver.events()
    ids = [e["id"] for e in received]
    assert sorted(ids) == sorted(str(e.event_id) for e in [*order_events, *quote_events])
    assert len(ids) == len(set(ids)), "an event arrived twice"
    by_stream = [e["data"]["n"] for e in received if e["id"] in {str(x.event_id) for x in order_events}]
    assert by_stream == [0, 1, 2]
    assert not IenEvent.objects.exclude(status="delivered").exists()
    # Every attempt is logged, with the same event id in the body each time.
    calls = IenCall.objects.filter(event=order_events[0])
    assert calls.count() == 3 and {json.loads(c.request)["id"] for c in calls} == {str(order_events[0].event_id)}
    assert sorted(c.status for c in calls) == ["", "", "200"]
    # Nothing left to send: another sweep sends nothing again.
    sweep(on_commit)
    assert len(receiver.events()) == 5


def test_non_2xx_is_retried_and_logged_then_listed_by_the_call_endpoint(
    partner, shop, receiver, django_capture_on_commit_callbacks
):
    receiver.answer = 500
    (event,) = emit(shop, on_commit=django_capture_on_commit_callbacks)
    receiver.answer = 200
    sweep(django_capture_on_commit_callbacks)
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("delivered", 2)
    body = platform_client(*partner).get(f"/api/v1/platform/{shop.pk}/call").json()
    assert [row["status"] for row in body["data"]] == ["200", "500"]
    assert body["data"][0]["endpoint"] == receiver.url and body["data"][0]["verb"] == "POST"
    assert json.loads(body["data"][0]["request"])["id"] == str(event.event_id)
    assert json.loads(body["data"][0]["response"]) == {"received": True}


def test_redirects_are_not_followed(shop, receiver, django_capture_on_commit_callbacks):
    receiver.answer = 302
    receiver.headers_out = {"Location": f"http://127.0.0.1:{receiver.port}/elsewhere"}
    (event,) = emit(shop, on_commit=django_capture_on_commit_callbacks)
    assert [r.get("get", False) for r in receiver.requests] == [False]
    event.refresh_from_db()
    assert event.status == "pending" and event.last_error == "HTTP 302"


def test_a_slow_receiver_times_out(shop, receiver, settings, django_capture_on_commit_callbacks):
    settings.IEN_TIMEOUT_SECONDS = 1
    receiver.delay = 1.5  # float-ok: seconds
    (event,) = emit(shop, on_commit=django_capture_on_commit_callbacks)
    call = IenCall.objects.get(event=event)
    assert call.status == "" and "timed out" in call.error.lower()


def test_giving_up_then_staff_resend_with_the_same_id(shop, receiver, django_capture_on_commit_callbacks):
    on_commit = django_capture_on_commit_callbacks
    receiver.stop()
    (event,) = emit(shop, on_commit=on_commit)
    IenEvent.objects.filter(pk=event.pk).update(give_up_at=timezone.now())
    sweep(on_commit)
    event.refresh_from_db()
    assert event.status == "failed"
    receiver.start()
    sweep(on_commit)
    assert receiver.requests == []  # a failed event is not retried by itself
    with on_commit(execute=True):
        ien_resend(event=event)
    event.refresh_from_db()
    assert event.status == "delivered"
    assert [e["id"] for e in receiver.events()] == [str(event.event_id)]


def test_admin_send_again(shop, receiver, admin_client, django_capture_on_commit_callbacks):
    receiver.stop()
    (event,) = emit(shop, on_commit=django_capture_on_commit_callbacks)
    receiver.start()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/platforms/ienevent/", {"action": "send_again", "_selected_action": [event.pk]}
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "delivered"
    assert admin_client.get(f"/admin/platforms/ienevent/{event.pk}/change/").status_code == 200


def test_nothing_is_sent_when_the_transaction_rolls_back(shop, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                ien_emit(platform=shop, event_type="order.status", stream="order:1", obj_payload={})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not IenEvent.objects.exists() and receiver.requests == []


def test_platforms_without_ien_url_get_nothing(partner, django_capture_on_commit_callbacks):
    assert emit(partner[0], on_commit=django_capture_on_commit_callbacks) == [None]


def test_private_addresses_are_refused_by_default(shop, receiver, settings, django_capture_on_commit_callbacks):
    settings.IEN_ALLOW_PRIVATE_HOSTS = False
    (event,) = emit(shop, on_commit=django_capture_on_commit_callbacks)
    assert receiver.requests == []
    call = IenCall.objects.get(event=event)
    assert call.error.startswith("refused:") and call.status == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "ftp://example.com/",
        "http://user:pw@example.com/",
        "javascript:alert(1)",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_ssrf_guard(url, settings):
    settings.IEN_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(IenUrlRefused):
        ien.target_resolve(url)


def test_metadata_addresses_stay_refused_even_when_private_hosts_are_allowed(settings):
    settings.IEN_ALLOW_PRIVATE_HOSTS = True
    with pytest.raises(IenUrlRefused):
        ien.target_resolve("http://169.254.169.254/")
    assert ien.target_resolve("http://127.0.0.1:8080/x?y=1")[1:] == ("127.0.0.1", 8080, "/x?y=1", "127.0.0.1")


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.IEN_BACKOFF_BASE_SECONDS = 10
    settings.IEN_BACKOFF_MAX_SECONDS = 3600
    for attempts, ceiling in ((1, 10), (2, 20), (3, 40), (10, 3600), (50, 3600)):
        delays = {ien_backoff_seconds(attempts) for _ in range(50)}
        assert all(ceiling // 2 <= d <= ceiling for d in delays)
    assert len({ien_backoff_seconds(8) for _ in range(50)}) > 1
