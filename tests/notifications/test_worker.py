"""End to end with a real Celery worker on Redis (not eager): a notification is delivered by mail and by a
(local) HTTP SMS provider that fails once, the retry happens with backoff, and a duplicated task sends nothing.
A batch's deliveries (a transfer's) go out through the pending-deliveries sweep task, with the same retries."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ccpro.celery import app
from notifications.models import Delivery
from notifications.services import notification_create, notification_create_batch
from notifications.tasks import deliveries_send_pending_task, delivery_send_task
from tests.factories import UserFactory

from .test_delivery import FakeProvider

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path):
    """A `celery worker` process on the test database and the configured Redis broker, on a queue of its own."""
    queue = f"notifications-test-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    provider = FakeProvider(failures=1)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "SMS_BACKEND": "notifications.sms.backends.twilio.SmsBackend",
        "SMS_PROVIDER_URL": provider.url,
        "SMS_PROVIDER_ACCOUNT_SID": "AC42",
        "SMS_PROVIDER_AUTH_TOKEN": "token",
        "SMS_PROVIDER_FROM": "+15005550006",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ccpro",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-l",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # This process publishes to the same broker and queue instead of running tasks eagerly.
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    with provider:
        try:
            yield {"provider": provider, "mail_dir": tmp_path / "mail", "log": tmp_path / "worker.log"}
        finally:
            app.conf.task_always_eager, app.conf.task_default_queue = previous
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps seeded rows for later tests
def test_delivery_by_a_real_worker_with_a_retry(worker):
    user = UserFactory(phone="40712345678")
    notification = notification_create(
        user=user, event="order_approved", meta={"id": str(uuid.uuid4()), "publicId": "WORKER01"}
    )
    sent = Delivery.objects.filter(notification=notification, status=Delivery.Status.SENT)
    assert wait_for(lambda: sent.count() == 2), worker["log"].read_text()[-4000:]

    [mail_file] = worker["mail_dir"].iterdir()
    assert "Subject: CCPro: Order Approved" in mail_file.read_text()
    assert "Your order WORKER01 has been approved" in mail_file.read_text()
    sms = Delivery.objects.get(notification=notification, channel="sms")
    assert sms.attempts == 2  # the provider's 503 was recorded, the retry (with backoff) succeeded
    assert list(sms.attempt_log.values_list("succeeded", flat=True)) == [False, True]
    assert len(worker["provider"].requests) == 2

    # A duplicated task (broker redelivery) is consumed without sending anything again.
    for delivery in Delivery.objects.filter(notification=notification):
        delivery_send_task.delay(delivery_id=delivery.pk)
    marker = delivery_send_task.delay(delivery_id=0)  # unknown id: done once the duplicates are consumed
    assert wait_for(lambda: f"{marker.id}] succeeded" in worker["log"].read_text()), worker["log"].read_text()[-4000:]
    assert len(list(worker["mail_dir"].iterdir())) == 1
    assert len(worker["provider"].requests) == 2
    assert sum(Delivery.objects.filter(notification=notification).values_list("attempts", flat=True)) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_is_delivered_through_the_sweep_task_with_a_retry(worker):
    payer, payee = UserFactory(), UserFactory(phone="40712345679")
    meta = {"id": str(uuid.uuid4()), "publicId": "SWEEP001"}
    received = {"amount": "0.99", "asset": "ETH", "sender": payer.email}
    notifications = notification_create_batch(
        items=[(payer, "transfer_completed", {}, meta), (payee, "transfer_received", received, meta)]
    )
    deliveries = Delivery.objects.filter(notification__in=notifications)
    time.sleep(1)
    assert deliveries.filter(status=Delivery.Status.PENDING, queued_at__isnull=True).count() == 3  # nothing published

    deliveries_send_pending_task.delay()  # what beat sends every couple of seconds
    sent = deliveries.filter(status=Delivery.Status.SENT)
    assert wait_for(lambda: sent.count() == 3), worker["log"].read_text()[-4000:]
    assert len(list(worker["mail_dir"].iterdir())) == 2
    sms = deliveries.get(channel="sms")
    assert sms.attempts == 2  # the provider's 503, then the retry with backoff
    assert len(worker["provider"].requests) == 2
