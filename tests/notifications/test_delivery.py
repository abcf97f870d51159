"""Delivery of notifications by mail and SMS through delivery_send_task (eager here; a real worker in
test_worker.py): channels, language, idempotency, retries, the attempt log and every backend."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Delivery, DeliveryAttempt, Notification
from notifications.sms.backends import locmem as sms_locmem
from notifications.tasks import delivery_redeliver_stale_task, delivery_send_task
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "40712345678"


@pytest.fixture
def phone_user(db):
    return UserFactory(phone=PHONE, first_name="Ioana")


def deliveries(notification):
    return {d.channel: d for d in Delivery.objects.filter(notification=notification)}


def test_email_and_sms_are_sent_after_commit_in_the_users_language(
    phone_user, notify, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(phone_user)
        assert mailoutbox == [] and sms_locmem.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 2
    [mail] = mailoutbox
    assert mail.to == [phone_user.email]
    assert mail.subject == "CCPro: Order Approved"
    assert "Hello Ioana" in mail.body and "Your order YN3DIS2F has been approved" in mail.body
    assert mail.alternatives[0].mimetype == "text/html"
    [sms] = sms_locmem.outbox
    assert sms.to == f"+{PHONE}" and sms.body == "CCPro: Your order YN3DIS2F has been approved"
    sent = deliveries(notification)
    assert set(sent) == {"email", "sms"}
    for delivery in sent.values():
        assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1 and delivery.sent_at
        assert list(delivery.attempt_log.values_list("number", "succeeded")) == [(1, True)]


def test_romanian_user_gets_romanian_mail_and_sms(notify, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(language="ro", phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user)
    assert mailoutbox[0].subject == "CCPro: Comandă aprobată"
    assert "Comanda ta YN3DIS2F a fost aprobată" in mailoutbox[0].body and "Bună" in mailoutbox[0].body
    assert sms_locmem.outbox[0].body == "CCPro: Comanda ta YN3DIS2F a fost aprobată"


def test_channels_follow_the_event_and_what_the_user_has(user, notify, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        no_phone = notify(user)  # email + sms event, but the user has no phone number
        email_only = notify(user, event="kyc_accepted", meta={}, context={"step": "address"})
        silent = notify(user, event="quote_expired")  # an inbox-only event
    assert set(deliveries(no_phone)) == {"email"}
    assert set(deliveries(email_only)) == {"email"}
    assert deliveries(silent) == {}
    assert len(mailoutbox) == 2 and sms_locmem.outbox == []
    assert email_only.message == "Your address verification has been accepted"


def test_nothing_is_delivered_when_the_transaction_rolls_back(phone_user, notify, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(phone_user)
        raise RuntimeError("the caller's business write failed")
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert mailoutbox == [] and sms_locmem.outbox == []


def test_a_retried_task_never_sends_twice(phone_user, notify, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(phone_user)
    for delivery in deliveries(notification).values():
        delivery_send_task.delay(delivery_id=delivery.pk)  # redelivered by the broker, or enqueued twice
        delivery_send_task.apply(kwargs={"delivery_id": delivery.pk})
    assert len(mailoutbox) == 1 and len(sms_locmem.outbox) == 1
    assert all(d.attempts == 1 for d in deliveries(notification).values())
    assert DeliveryAttempt.objects.count() == 2


def test_a_task_for_a_deleted_delivery_does_nothing(user, notify):
    notification = notify(user)
    delivery = deliveries(notification)["email"]
    notification.delete()
    assert delivery_send_task.apply(kwargs={"delivery_id": delivery.pk}).successful()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps seeded rows for later tests
def test_a_duplicate_task_waits_while_another_worker_sends(mailoutbox, eager_retries):
    user = UserFactory()
    from notifications.services import notification_create

    notification = notification_create(user=user, event="kyc_accepted", context={"step": "address"})
    delivery = Delivery.objects.get(notification=notification)
    # notification_create ran in autocommit: its on_commit task has already sent it. Reset to pending to
    # simulate "another worker is sending right now" with a lock held from a second connection.
    Delivery.objects.filter(pk=delivery.pk).update(status="pending", sent_at=None, attempts=0)
    DeliveryAttempt.objects.all().delete()
    mailoutbox.clear()
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            Delivery.objects.select_for_update().get(pk=delivery.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        result = delivery_send_task.apply(kwargs={"delivery_id": delivery.pk}, throw=False)
        assert type(result.result).__name__ == "DeliveryBusy"  # retried, then gave up while locked
        assert mailoutbox == []
    finally:
        release.set()
        thread.join()
    delivery_send_task.apply(kwargs={"delivery_id": delivery.pk})
    assert len(mailoutbox) == 1


# --- A real HTTP SMS provider (Twilio-compatible), served locally by the test ----------------------


class FakeProvider:
    def __init__(self, failures: int):
        self.failures = failures
        self.requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                provider.requests.append(
                    {"path": self.path, "auth": self.headers["Authorization"], "form": parse_qs(body)}
                )
                if len(provider.requests) <= provider.failures:
                    status, payload = 503, {"code": 20503, "message": "Service unavailable"}
                else:
                    status, payload = 201, {"sid": f"SM{len(provider.requests):032d}", "status": "queued"}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def eager_retries():
    """Celery runs an eager task's retries in place only when errors are not propagated (as a worker would)."""
    from ccpro.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def twilio(settings, eager_retries):
    settings.SMS_BACKEND = "notifications.sms.backends.twilio.SmsBackend"
    settings.SMS_PROVIDER_ACCOUNT_SID = "AC0123456789"
    settings.SMS_PROVIDER_AUTH_TOKEN = "secret-token"
    settings.SMS_PROVIDER_FROM = "+15005550006"

    def start(failures=0):
        provider = FakeProvider(failures)
        settings.SMS_PROVIDER_URL = provider.url
        return provider

    return start


def test_sms_through_the_http_provider(phone_user, notify, twilio, django_capture_on_commit_callbacks):
    with twilio() as provider, django_capture_on_commit_callbacks(execute=True):
        notification = notify(phone_user)
    [request] = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    assert request["auth"] == "Basic QUMwMTIzNDU2Nzg5OnNlY3JldC10b2tlbg=="  # AC0123456789:secret-token
    assert request["form"] == {
        "To": [f"+{PHONE}"],
        "From": ["+15005550006"],
        "Body": ["CCPro: Your order YN3DIS2F has been approved"],
    }
    sms = deliveries(notification)["sms"]
    assert sms.status == "sent" and sms.provider_reference == f"SM{1:032d}"


def test_a_failed_provider_call_is_recorded_and_retried(phone_user, notify, twilio, django_capture_on_commit_callbacks):
    with twilio(failures=2) as provider, django_capture_on_commit_callbacks(execute=True):
        notification = notify(phone_user)
    assert len(provider.requests) == 3
    sms = deliveries(notification)["sms"]
    assert sms.status == "sent" and sms.attempts == 3 and sms.last_error == ""
    log = list(sms.attempt_log.values_list("number", "succeeded", "error"))
    assert [(n, ok) for n, ok, _ in log] == [(1, False), (2, False), (3, True)]
    assert "provider answered 503" in log[0][2]
    assert deliveries(notification)["email"].attempts == 1  # the other channel is independent


def test_a_provider_that_stays_down_never_loses_the_notification(
    phone_user, notify, twilio, django_capture_on_commit_callbacks
):
    with twilio(failures=100) as provider, django_capture_on_commit_callbacks(execute=True):
        notification = notify(phone_user)  # the request that caused it is not broken by the failure
    assert len(provider.requests) == 9  # the first try and 8 retries
    sms = deliveries(notification)["sms"]
    assert sms.status == "failed" and sms.attempts == 9 and "503" in sms.last_error
    assert sms.attempt_log.filter(succeeded=False).count() == 9
    body = client_for(phone_user).get(f"/api/v1/user/{phone_user.pk}/notifications/temporary").json()
    assert [item["id"] for item in body["data"]] == [str(notification.pk)]


def test_an_unreachable_provider_is_a_recorded_failure(
    phone_user, notify, settings, eager_retries, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "notifications.sms.backends.twilio.SmsBackend"
    settings.SMS_PROVIDER_ACCOUNT_SID, settings.SMS_PROVIDER_AUTH_TOKEN = "AC1", "token"
    settings.SMS_PROVIDER_FROM = "+15005550006"
    settings.SMS_PROVIDER_URL = "http://127.0.0.1:9"  # discard port: connection refused
    settings.SMS_PROVIDER_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(phone_user)
    sms = deliveries(notification)["sms"]
    assert sms.status == "failed" and "provider unreachable" in sms.last_error


# --- Other backends: Django's file email backend, SMS file and console backends --------------------


def test_file_email_backend_and_file_sms_backend(
    phone_user, notify, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.SMS_BACKEND = "notifications.sms.backends.file.SmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    with django_capture_on_commit_callbacks(execute=True):
        notify(phone_user)
    [mail_file] = (tmp_path / "mail").iterdir()
    mail = mail_file.read_text()
    assert "Subject: CCPro: Order Approved" in mail and f"To: {phone_user.email}" in mail
    [sms_file] = (tmp_path / "sms").iterdir()
    assert sms_file.read_text().startswith(f"To: +{PHONE}\n\nCCPro: Your order YN3DIS2F has been approved\n")


def test_console_sms_backend(phone_user, notify, settings, capsys, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "notifications.sms.backends.console.SmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify(phone_user)
    assert f"SMS to +{PHONE}: CCPro: Your order YN3DIS2F has been approved" in capsys.readouterr().out


# --- Account mails use the same deliveries ----------------------------------------------------------


def test_account_mail_is_a_recorded_delivery_without_its_secret(
    api, user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/user/forgot-password", {"email": user.email})
    assert response.status_code == 200
    [delivery] = Delivery.objects.filter(recipient=user.email)
    assert delivery.template == "password_reset" and delivery.status == "sent" and delivery.notification is None
    assert delivery.subject == mailoutbox[0].subject
    token = mailoutbox[0].body.split("reset token is: ")[1].split()[0]
    stored = " ".join(str(value) for value in Delivery.objects.filter(pk=delivery.pk).values().first().values())
    assert token not in stored  # the reset token travels only inside the task, never into the database
    # Running its task again (without the content) cannot resend it, and does not pretend it did.
    assert delivery_send_task.apply(kwargs={"delivery_id": delivery.pk}).successful()
    assert len(mailoutbox) == 1


# --- Lost tasks ---------------------------------------------------------------------------------------


def test_a_pending_delivery_whose_task_was_lost_is_sent_by_the_sweep(
    user, notify, mailoutbox, django_capture_on_commit_callbacks
):
    notification = notify(user)  # its on_commit task never runs here: as if the broker was down
    Delivery.objects.filter(notification=notification).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_redeliver_stale_task.apply().result == 0  # too recent: its task may still come
    Delivery.objects.filter(notification=notification).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_redeliver_stale_task.apply().result == 1
    assert len(mailoutbox) == 1 and deliveries(notification)["email"].status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_redeliver_stale_task.apply().result == 0


def test_broker_outage_at_commit_does_not_break_the_caller(
    user, notify, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(delivery_send_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user)
    assert deliveries(notification)["email"].status == "pending"
