"""End to end with a real Celery worker on Redis (not eager): events emitted while the partner's receiver is
down reach it once it is back, each exactly once, in order, signed with the published key."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ccpro.celery import app
from platforms.keys import ien_public_key_pem
from platforms.models import IenEvent
from platforms.services import ien_emit, platform_create
from platforms.tasks import ien_dispatch_due_task
from tests.notifications.test_worker import wait_for

from .receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path, settings):
    queue = f"platforms-test-{uuid.uuid4().hex[:12]}"
    settings.IEN_PRIVATE_KEY = ""
    settings.IEN_PRIVATE_KEY_FILE = str(tmp_path / "ien.pem")
    settings.IEN_ALLOW_PRIVATE_HOSTS = True
    ien_public_key_pem()  # the key file exists before the worker starts, so both processes share it
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.platforms.worker_settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "IEN_PRIVATE_KEY_FILE": str(tmp_path / "ien.pem"),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ccpro",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-l",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield tmp_path / "worker.log"
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_after_the_receiver_comes_back(worker):
    receiver = Receiver()
    platform, _ = platform_create(code="WORKSHOP", name="Worker Shop", ien_url=receiver.url)
    with transaction.atomic():
        events = [
            ien_emit(platform=platform, event_type="order.status", stream="order:W", obj_payload={"n": n})
            for n in range(3)
        ]
    # Receiver down: the worker tries the first event, fails and schedules a retry (backoff in the outbox).
    first = IenEvent.objects.filter(pk=events[0].pk)
    assert wait_for(lambda: first.get().attempts >= 1), worker.read_text()[-4000:]
    assert first.get().status == "pending"

    receiver.start()
    try:
        # What beat does: make every backoff due and sweep.
        IenEvent.objects.filter(status="pending").update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        ien_dispatch_due_task.delay()
        delivered = IenEvent.objects.filter(platform=platform, status="delivered")
        assert wait_for(lambda: delivered.count() == 3), worker.read_text()[-4000:]
        ids = [json.loads(r["body"])["id"] for r in receiver.requests]
        assert ids == [str(e.event_id) for e in events]  # each once, in order
        public_key = ien_public_key_pem()
        for request in receiver.requests:
            jwt.decode(request["headers"]["token"], public_key, algorithms=["RS512"])
    finally:
        receiver.stop()
    assert settings.CELERY_BROKER_URL.startswith("redis://")
