"""Notifications and their delivery by mail and SMS.

`notification_create` is the one entry point other apps call when something happens to a user: it stores the
inbox notification in the user's language and, per the event's channels, one `Delivery` row per channel, each
sent by `delivery_send_task` once the transaction commits. `notification_create_batch` (a transfer's events)
writes the same rows and publishes nothing: its deliveries are outbox rows that `deliveries_queue_pending`
(beat, every couple of seconds) hands to `delivery_send_task`, each once. `email_enqueue` sends an account mail
(verification code, password reset…) through the same deliveries, without an inbox entry.

Sending is idempotent per delivery: the sender locks the row, skips it once sent, and logs every attempt.
"""

import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ccpro import errors
from ccpro.db import execute_together, insert_statement, inserted

from . import events as notification_events
from .exceptions import DeliveryBusy, DeliveryError, DeliveryImpossible
from .models import UNSENT, Delivery, DeliveryAttempt, Notification
from .sms import SmsMessage, get_connection

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = [code for code, _ in settings.LANGUAGES]
ERROR_TEXT_LIMIT = 2000
# A pending delivery never tried after this long lost its task (broker down at commit time): sent again.
STALE_PENDING_AFTER = timedelta(minutes=15)
# A delivery stamped by the pending-deliveries sweep but still untried this long after was never published (the
# sweep's worker was lost between its commit and the publish): the sweep hands it out again.
RESTAMP_AFTER = timedelta(seconds=60)
# How many deliveries one transaction of the pending-deliveries sweep hands out.
QUEUE_BATCH = 500


def _language(language: str | None) -> str:
    return language if language in SUPPORTED_LANGUAGES else "en"


# --- Mail rendering -------------------------------------------------------------------------------


def _render(names: list[str], language: str, context: dict) -> str:
    with translation.override(language):
        return render_to_string(names, context)


def _render_mail(names_for, language: str, context: dict) -> dict:
    context = {"site_url": settings.SITE_URL, **context}
    rendered = {
        "subject": " ".join(_render(names_for("subject.txt"), language, context).split()),
        "text": _render(names_for("txt"), language, context),
    }
    try:
        rendered["html"] = _render(names_for("html"), language, context)
    except TemplateDoesNotExist:
        rendered["html"] = None
    return rendered


def email_render(*, template: str, language: str, context: dict) -> dict:
    """Subject, text and HTML of a mail template (`templates/emails/<lang>/<name>.{subject.txt,txt,html}`)."""
    language = _language(language)
    return _render_mail(
        lambda suffix: [f"emails/{language}/{template}.{suffix}", f"emails/en/{template}.{suffix}"], language, context
    )


def _notification_mail(notification: Notification, language: str) -> dict:
    """A notification's mail: `emails/<lang>/notification_<code>.*` when an event has its own, else the generic."""
    language = _language(language)
    context = {
        "first_name": notification.user.first_name,
        "title": notification.title,
        "message": notification.message,
        "meta": notification.meta,
    }

    def names(suffix):
        return [
            f"emails/{language}/notification_{notification.code}.{suffix}",
            f"emails/{language}/notification.{suffix}",
            f"emails/en/notification.{suffix}",
        ]

    return _render_mail(names, language, context)


def _sms_text(notification: Notification) -> str:
    return f"CCPro: {notification.message}"


# --- Creating ---------------------------------------------------------------------------------------


def _enqueue(delivery: Delivery, content: dict | None = None) -> None:
    """Send after commit. robust: a broker outage is logged, the committed request still succeeds, and the
    pending delivery is picked up again by `delivery_redeliver_stale` (notification deliveries)."""
    from .tasks import delivery_send_task

    delivery_id = delivery.pk
    kwargs = {"delivery_id": delivery_id}
    if content is not None:
        kwargs["content"] = content
    transaction.on_commit(lambda: delivery_send_task.delay(**kwargs), robust=True)


def _recipient(user, channel: str) -> str:
    if user.closed_at is not None:
        return ""
    if channel == notification_events.EMAIL:
        return user.email
    if channel == notification_events.SMS:
        return f"+{user.phone}" if user.phone else ""
    raise ValueError(f"unknown channel {channel}")


def _notification_build(*, event: str, language: str, meta: dict | None, context: dict | None = None, **owner):
    """An unsaved inbox row of `event` for `owner` (`user=` or `user_id=`), worded in its language, and the
    event's spec and full title (a mail subject may be longer than the inbox title)."""
    spec = notification_events.EVENTS[event]
    meta = {key: str(value) if value is not None else None for key, value in (meta or {}).items()}
    language = _language(language)
    title, message = notification_events.wording(spec, language, {**meta, **(context or {})})
    notification = Notification(
        **owner, title=title[:191], message=message, category=spec.category, code=event, meta=meta, language=language
    )
    return notification, spec, title


def _deliveries_build(notification: Notification, *, user, spec, title: str) -> list[Delivery]:
    """The unsaved deliveries of a notification on its event's channels the user can be reached on."""
    deliveries = []
    for channel in spec.channels:
        recipient = _recipient(user, channel)
        if recipient:
            deliveries.append(
                Delivery(
                    notification=notification,
                    user=user,
                    channel=channel,
                    recipient=recipient,
                    template=notification.code,
                    language=notification.language,
                    subject=title[:255] if channel == Delivery.Channel.EMAIL else "",
                )
            )
    return deliveries


@transaction.atomic
def notification_create(*, user, event: str, context: dict | None = None, meta: dict | None = None) -> Notification:
    """Put a notification in the user's inbox and deliver it on the event's channels, in the user's language.

    `event` names an entry of `notifications.events.EVENTS`; `meta` is the related object as the API shows it
    (`{"id": …, "publicId": …}`) and is also available to the wording, with `context`."""
    notification, spec, title = _notification_build(
        user=user, event=event, language=user.language, meta=meta, context=context
    )
    notification.save()
    for delivery in _deliveries_build(notification, user=user, spec=spec, title=title):
        delivery.queued_at = delivery.created_at  # its task is published here: the sweep leaves it alone
        delivery.save()
        _enqueue(delivery)
    return notification


def _batch(items, connection) -> tuple[list[Notification], list[tuple[str, list]]]:
    """A batch's unsaved inbox rows and the statements that write them and their deliveries."""
    notifications, deliveries = [], []
    for user, event, context, meta in items:
        notification, spec, title = _notification_build(
            user=user, event=event, language=user.language, meta=meta, context=context
        )
        notifications.append(notification)
        deliveries += _deliveries_build(notification, user=user, spec=spec, title=title)
    statements = [insert_statement(notifications, connection=connection)] if notifications else []
    if deliveries:
        statements.append(insert_statement(deliveries, connection=connection))
    return notifications, statements


def notification_batch_statements(*, items, connection) -> list[tuple[str, list]]:
    """What `notification_create_batch` writes, as statements for a caller that runs them with its own writes
    in one round trip (ccpro.db.execute_together; a transfer's confirmation): the inbox rows' INSERT and, when
    there are any, their deliveries' INSERT (which refers to the inbox rows: the foreign key is checked at
    commit). Nothing is published: the deliveries are handed out by `deliveries_queue_pending`."""
    return _batch(items, connection)[1]


def notification_create_batch(*, items) -> list[Notification]:
    """Several notifications at once, each as `notification_create` would make it: `items` is
    [(user, event, context, meta)]. One INSERT for the inbox rows, one for their deliveries (one round trip on
    PostgreSQL), and no task message: the deliveries are outbox rows, handed to `delivery_send_task` by the
    pending-deliveries sweep (`deliveries_queue_pending`, beat every couple of seconds) once this transaction
    has committed. A Celery publish cost a transfer confirmation ≈ 1 ms of CPU (docs/decisions.md)."""
    connection = transaction.get_connection()
    notifications, statements = _batch(items, connection)
    if statements:
        execute_together(statements, using=connection.alias)
        inserted(notifications, using=connection.alias)
    return notifications


def deliveries_publish(delivery_ids: list[int]) -> None:
    """One `delivery_send_task` message per delivery (after the commit that wrote or claimed them)."""
    from .tasks import delivery_send_task

    for delivery_id in delivery_ids:
        try:
            delivery_send_task.delay(delivery_id=delivery_id)
        except Exception:  # one delivery's broker or eager failure must not keep the next one from being sent
            log.exception("delivery %s could not be queued; the stale-delivery sweep will send it", delivery_id)


def deliveries_queue_pending(*, batch: int = QUEUE_BATCH) -> int:
    """Hand every notification delivery nobody has handed out yet (those of `notification_create_batch`) to its
    own `delivery_send_task` (with its retries), oldest first; returns how many. Once each: a batch is claimed
    `FOR UPDATE SKIP LOCKED` and stamped `queued_at` in one transaction, its tasks are published after the
    commit, so two sweeps at once hand out disjoint rows.

    A row stamped but still pending and untried `RESTAMP_AFTER` later is handed out again (stamped anew): its
    message was never published (the sweep's worker lost between its commit and the publish, the broker down)
    or is stuck behind a backlog. A duplicate message is harmless: `delivery_send` locks the row and skips it
    once sent. Both kinds are read through the partial index `notif_delivery_unsent_idx` (pending, untried
    notification deliveries only: the rows in flight)."""
    queued = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(UNSENT, Q(queued_at__isnull=True) | Q(queued_at__lt=now - RESTAMP_AFTER))
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return queued
            Delivery.objects.filter(pk__in=ids).update(queued_at=now)
            transaction.on_commit(partial(deliveries_publish, ids), robust=True)
        queued += len(ids)
        if len(ids) < batch:
            return queued


@transaction.atomic
def notification_create_many(*, event: str, items) -> int:
    """Inbox notifications of one event for many users at once (one INSERT), for sweeps such as quote expiry.

    `items` is [(user_id, language, meta)]; only for events without delivery channels (inbox only)."""
    spec = notification_events.EVENTS[event]
    if spec.channels:
        raise ValueError(f"{event} is delivered by {spec.channels}: use notification_create per user")
    rows = [
        _notification_build(user_id=user_id, event=event, language=language, meta=meta)[0]
        for user_id, language, meta in items
    ]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def email_enqueue(*, to: str, template: str, language: str = "en", context: dict | None = None, user=None) -> Delivery:
    """An account mail (no inbox entry). Rendered now; the body travels only in the task, never into the
    database, because some carry secrets (verification codes, reset tokens). The delivery row logs it."""
    language = _language(language)
    rendered = email_render(template=template, language=language, context=context or {})
    delivery = Delivery.objects.create(
        user=user,
        channel=Delivery.Channel.EMAIL,
        recipient=to,
        template=template,
        language=language,
        subject=rendered["subject"][:255],
        queued_at=timezone.now(),  # its task is published here
    )
    _enqueue(delivery, content=rendered)
    return delivery


# --- Reading state ----------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_all_read(*, user):
    """Mark every unread notification of the user as read; returns those just marked (a queryset)."""
    now = timezone.now()
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    ids = list(unread.select_for_update().values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=now)
    return Notification.objects.filter(user=user, read_at=now).order_by("-created_at", "-id")


@transaction.atomic
def notification_mark_read(*, user, notification_id) -> Notification:
    """Mark one of the user's notifications as read (NotFound when it is not theirs). Marking a read one again
    changes nothing: it keeps the time it was first read."""
    try:
        notification_id = uuid.UUID(str(notification_id))
    except ValueError:
        raise errors.NotFound() from None
    notification = Notification.objects.select_for_update().filter(user=user, pk=notification_id).first()
    if notification is None:
        raise errors.NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- Sending ----------------------------------------------------------------------------------------


def email_send(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def _deliver(delivery: Delivery, content: dict | None) -> str:
    """Hand the message to the mail or SMS backend; returns the provider's reference when it gives one."""
    if delivery.channel == Delivery.Channel.EMAIL:
        if content is None:
            if delivery.notification is None:
                raise DeliveryImpossible("the content of this account mail was not kept; it cannot be sent again")
            content = _notification_mail(delivery.notification, delivery.language)
        email_send(to=delivery.recipient, subject=content["subject"], text=content["text"], html=content.get("html"))
        return ""
    if delivery.notification is None:
        raise DeliveryImpossible("an SMS needs a notification")
    connection = get_connection()
    if connection.send_messages([SmsMessage(to=delivery.recipient, body=_sms_text(delivery.notification))]) != 1:
        raise DeliveryError("the SMS backend did not accept the message")
    references = getattr(connection, "references", None) or [""]
    return references[-1]


def delivery_send(*, delivery_id: int, content: dict | None = None) -> Delivery | None:
    """Send one delivery unless already sent. Every try is logged; a failure is recorded and re-raised as
    DeliveryError for the task to retry with backoff. Returns None when the delivery no longer exists."""
    failure: Exception | None = None
    with transaction.atomic():
        # The row lock is held while sending: a duplicate task skips (and retries later) instead of sending too.
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            if Delivery.objects.filter(pk=delivery_id).exists():
                raise DeliveryBusy(f"delivery {delivery_id} is being sent by another worker")
            return None
        if delivery.status == Delivery.Status.SENT:
            return delivery
        delivery.attempts += 1
        now = timezone.now()
        reference = ""
        try:
            reference = _deliver(delivery, content)
        except DeliveryImpossible as error:
            failure = error
        except Exception as error:  # noqa: BLE001 - any backend failure is recorded and retried
            failure = DeliveryError(f"{type(error).__name__}: {error}")
            failure.__cause__ = error
        if failure is None:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.provider_reference = reference[:128]
            delivery.last_error = ""
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = str(failure)[:ERROR_TEXT_LIMIT]
            log.warning("delivery %s (%s) failed: %s", delivery.pk, delivery.channel, failure)
        delivery.updated_at = now
        delivery.save(update_fields=["status", "sent_at", "provider_reference", "last_error", "attempts", "updated_at"])
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            succeeded=failure is None,
            error=delivery.last_error if failure else "",
            provider_reference=reference[:128],
        )
    if failure is not None:
        raise failure
    return delivery


def delivery_retry(*, delivery: Delivery) -> bool:
    """Staff ask for a failed notification delivery to be sent again (account mails cannot: no content kept)."""
    if delivery.status == Delivery.Status.SENT or delivery.notification_id is None:
        return False
    with transaction.atomic():
        _enqueue(delivery)
    return True


def delivery_redeliver_stale(*, now=None) -> int:
    """Enqueue again the notification deliveries never tried long after creation (their task was lost)."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        status=Delivery.Status.PENDING,
        attempts=0,
        notification__isnull=False,
        created_at__lte=now - STALE_PENDING_AFTER,
    ).only("pk")
    count = 0
    with transaction.atomic():
        for delivery in stale[:1000]:
            _enqueue(delivery)
            count += 1
    return count
