import smtplib

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def email_send_task(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    services.email_send(to=to, subject=subject, text=text, html=html)
