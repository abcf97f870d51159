"""A transfer's mail and SMS: written as outbox rows by the confirmation, handed out by the pending-deliveries sweep
(beat, every couple of seconds) to `delivery_send_task`, each delivery exactly once."""

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from ccpro.celery import app
from notifications.models import Delivery
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
