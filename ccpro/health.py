"""Liveness and readiness for load balancers: the database and the broker must answer."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        log.exception("health: database check failed")
        return False


def _broker_ok() -> bool:
    from ccpro.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        log.exception("health: broker check failed")
        return False


@require_GET
def health(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "failing" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)
