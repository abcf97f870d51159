"""Celery tasks of the checkout widget: the expiry sweep (beat) and the ping_url calls."""

from celery import shared_task

from . import checkout


@shared_task
def checkout_expire_due_task() -> int:
    return checkout.checkout_expire_due()


@shared_task(bind=True, max_retries=5)
def checkout_ping_task(self, *, checkout_id: str, status: str) -> str:
    """Call the checkout's ping_url; a failed call is tried again with exponential backoff (5 times), a refused
    URL (SSRF guard) is not."""
    outcome = checkout.checkout_ping(checkout_id=checkout_id, status=status)
    if outcome == "failed" and self.request.retries < self.max_retries:
        raise self.retry(countdown=10 * 2**self.request.retries)
    return outcome
