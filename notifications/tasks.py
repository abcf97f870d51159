import smtplib

from celery import shared_task

from . import services
from .exceptions import DeliveryError


@shared_task(
    autoretry_for=(DeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def delivery_send_task(*, delivery_id: int, content: dict | None = None) -> None:
    """Send one delivery (idempotent: a retried or duplicated task never sends twice)."""
    services.delivery_send(delivery_id=delivery_id, content=content)


@shared_task
def deliveries_send_pending_task() -> int:
    """Beat, every couple of seconds: hand the deliveries written without a task message (a notification batch's)
    to `delivery_send_task`, each once (services.deliveries_queue_pending)."""
    return services.deliveries_queue_pending()


@shared_task
def deliveries_send_task(*, delivery_ids: list[int]) -> None:
    """Kept for messages published before the pending-deliveries sweep: fan several deliveries out to one
    `delivery_send_task` each (their own retries)."""
    services.deliveries_publish(delivery_ids)


@shared_task
def delivery_redeliver_stale_task() -> int:
    return services.delivery_redeliver_stale()


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def email_send_task(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    """Kept for messages queued before deliveries existed; new mail goes through delivery_send_task."""
    services.email_send(to=to, subject=subject, text=text, html=html)
