from celery import shared_task

from . import services


@shared_task
def ien_deliver_task(*, event_pk: int) -> str:
    """Try one instant event notification now; a failure is rescheduled in the outbox (next_attempt_at) with
    backoff and picked up by ien_dispatch_due_task, so nothing is lost if the broker drops this message."""
    return services.ien_deliver(event_pk=event_pk)


@shared_task
def ien_dispatch_due_task() -> int:
    return services.ien_dispatch_due()


# The checkout widget's tasks live in their own module; imported here so the worker registers them.
from .checkout_tasks import checkout_expire_due_task, checkout_ping_task  # noqa: E402, F401
