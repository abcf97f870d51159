from celery import shared_task

from . import services


@shared_task
def account_close_due_task() -> int:
    return services.account_close_due()


@shared_task
def access_token_purge_expired_task() -> int:
    return services.access_token_purge_expired()
