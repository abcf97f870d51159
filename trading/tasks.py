from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def rates_poll_task() -> int:
    return services.rates_poll()


@shared_task(ignore_result=True)
def rate_snapshots_compact_task() -> int:
    return services.rate_snapshots_compact()


@shared_task(ignore_result=True)
def quote_expire_due_task() -> int:
    from .orders import quote_expire_due

    return quote_expire_due()


@shared_task(ignore_result=True)
def transfer_expire_due_task() -> int:
    from .transfers import transfer_expire_due

    return transfer_expire_due()
