"""A transfer's mail and SMS: written as outbox rows by the confirmation, handed out by the pending-deliveries sweep
(beat, every couple of seconds) to `delivery_send_task`, each delivery exactly once."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from ccpro.celery import app
from notifications.models import Delivery
from notifications.services import RESTAMP_AFTER
from notifications.sms.backends import locmem as sms_locmem
from notifications.tasks import deliveries_send_pending_task, delivery_send_task
from trading.transfers import transfer_create

from ..factories import UserFactory
from .conftest import fund
from .test_transfer_api import confirm, create


@pytest.mark.django_db
def test_a_confirmation_publishes_nothing_and_the_sweep_sends_each_mail_once(
    user, user_api, eth, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    payee = UserFactory(phone="40712345678")
    fund(user, eth, "2")
    transfer_id = create(user_api, user, amount="1", user=payee.email).json()["data"]["id"]
    published = []
    monkeypatch.setattr(delivery_send_task, "delay", lambda **kwargs: published.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(user_api, user, transfer_id).status_code == 200
    assert published == [] and mailoutbox == []
    pending = Delivery.objects.filter(notification__meta__id=transfer_id)
    # The payer's mail, the payee's mail and SMS: outbox rows nobody has handed out yet.
    assert set(pending.values_list("channel", "recipient", "status", "queued_at")) == {
        ("email", payee.email, "pending", None),
        ("email", user.email, "pending", None),
        ("sms", f"+{payee.phone}", "pending", None),
    }

    monkeypatch.undo()
    sms_locmem.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 3
    assert sorted(message.to[0] for message in mailoutbox) == sorted([user.email, payee.email])
    assert {m.subject for m in mailoutbox} == {"CCPro: Transfer Completed", "CCPro: Transfer Received"}
    assert len(sms_locmem.outbox) == 1
    assert set(pending.values_list("status", "attempts")) == {("sent", 1)}
    assert pending.filter(queued_at__isnull=True).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 0  # each once: nothing is handed out again
    assert len(mailoutbox) == 2 and len(sms_locmem.outbox) == 1


@pytest.mark.django_db
def test_deliveries_stamped_but_never_published_are_handed_out_again_a_minute_later(
    user, user_api, eth, mailoutbox, django_capture_on_commit_callbacks
):
    """A sweep that stamped its rows and was lost before publishing (worker killed between the commit and the
    publish; with acks_late the re-run found them stamped) does not leave the mail to the 15-minute stale sweep:
    a row still pending and untried a minute after its stamp is handed out again. A duplicate message is
    harmless: the sender locks the row and skips it once sent."""
    payee = UserFactory(phone="40712345678")
    fund(user, eth, "2")
    transfer_id = create(user_api, user, amount="1", user=payee.email).json()["data"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(user_api, user, transfer_id).status_code == 200
    pending = Delivery.objects.filter(notification__meta__id=transfer_id)
    sms_locmem.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False):  # stamped and committed, the publish never runs
        assert deliveries_send_pending_task.apply().result == 3
    assert pending.filter(queued_at__isnull=True).count() == 0 and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 0  # stamped moments ago: maybe still on its way
    assert mailoutbox == []

    pending.update(queued_at=F("queued_at") - RESTAMP_AFTER - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 3
    assert sorted(message.to[0] for message in mailoutbox) == sorted([user.email, payee.email])
    assert len(sms_locmem.outbox) == 1
    assert set(pending.values_list("status", "attempts")) == {("sent", 1)}

    # The first, late message arriving now changes nothing; and nothing is handed out a third time.
    pending.update(queued_at=F("queued_at") - RESTAMP_AFTER - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        for delivery_id in pending.values_list("pk", flat=True):
            delivery_send_task.apply(kwargs={"delivery_id": delivery_id}).get()
        assert deliveries_send_pending_task.apply().result == 0
    assert len(mailoutbox) == 2 and len(sms_locmem.outbox) == 1
    assert set(pending.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_delivery_already_tried_is_not_handed_out_again_by_the_sweep(
    user, user_api, eth, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """Once tried (attempts ≥ 1) a delivery belongs to its task's retries and backoff, not to the sweep."""
    fund(user, eth, "2")
    transfer_id = create(user_api, user, amount="1", user=UserFactory().email).json()["data"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(user_api, user, transfer_id).status_code == 200
    pending = Delivery.objects.filter(notification__meta__id=transfer_id)
    monkeypatch.setattr("notifications.services.email_send", _smtp_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 2
    assert set(pending.values_list("status", "attempts")) == {("failed", 1)}
    pending.update(status=Delivery.Status.PENDING, queued_at=F("queued_at") - RESTAMP_AFTER - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 0


def _smtp_down(**kwargs):
    raise ConnectionError("SMTP down")


@pytest.mark.django_db
def test_single_notifications_and_account_mails_are_not_handed_out_again(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    """Deliveries whose task was published when they were written (notification_create, email_enqueue) are
    stamped then: the sweep leaves them alone."""
    from notifications.services import email_enqueue, notification_create

    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user=user, event="order_approved", meta={"id": "x", "publicId": "SINGLE01"})
        email_enqueue(to=user.email, template="email_verify", context={"code": "123456"}, user=user)
    assert len(mailoutbox) == 2
    assert Delivery.objects.filter(queued_at__isnull=True).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_pending_task.apply().result == 0
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_hand_out_disjoint_deliveries(user, other_user, eth, monkeypatch):
    """A sweep skips the rows another one has locked (FOR UPDATE SKIP LOCKED) and never takes a row already
    stamped: across overlapping sweeps every delivery is published exactly once."""
    fund(user, eth, "5")
    for _ in range(3):  # three receives asked of `user`: one mail each, to the payer
        transfer_create(user=other_user, action="receive", amount="1", asset_type="coin", symbol="ETH",
                        counterparty=user.email)  # fmt: skip
    deliveries = list(Delivery.objects.order_by("created_at", "pk").values_list("pk", flat=True))
    assert len(deliveries) == 3
    published = []
    monkeypatch.setattr(delivery_send_task, "delay", lambda **kwargs: published.append(kwargs["delivery_id"]))

    locked, release = threading.Event(), threading.Event()

    def other_sweep_holding_the_oldest():
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=deliveries[0])
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_sweep_holding_the_oldest)
    thread.start()
    assert locked.wait(10)
    try:
        assert deliveries_send_pending_task.apply().result == 2
        assert sorted(published) == deliveries[1:]
    finally:
        release.set()
        thread.join(10)
    assert deliveries_send_pending_task.apply().result == 1
    assert deliveries_send_pending_task.apply().result == 0
    assert sorted(published) == sorted(deliveries)


def test_the_sweep_runs_every_couple_of_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-deliveries-send-pending"]
    assert entry["task"] == deliveries_send_pending_task.name and entry["task"] in app.tasks
    assert 0 < entry["schedule"] <= 5


@pytest.mark.django_db
def test_the_sweep_reads_its_rows_through_the_partial_index(user, user_api, eth, django_capture_on_commit_callbacks):
    """The sweep's statement, as the task runs it, can be answered from notif_delivery_unsent_idx (its WHERE implies
    the index's condition): it does not walk every pending delivery. Sequential scans are switched off for the
    EXPLAIN because on a test-sized table one is cheaper; what is checked is that the index is usable."""
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of PostgreSQL")
    from django.test.utils import CaptureQueriesContext

    fund(user, eth, "2")
    transfer_id = create(user_api, user, amount="1", user=UserFactory().email).json()["data"]["id"]
    with django_capture_on_commit_callbacks(execute=False):
        assert confirm(user_api, user, transfer_id).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert deliveries_send_pending_task.apply().result == 2
    [claim] = [query["sql"] for query in captured.captured_queries if "SKIP LOCKED" in query["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {claim}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notif_delivery_unsent_idx" in plan, plan
