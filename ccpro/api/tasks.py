from celery import shared_task

from .idempotency import idempotency_key_purge


@shared_task
def idempotency_key_purge_task() -> int:
    return idempotency_key_purge()
