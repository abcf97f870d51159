"""Settings of the real Celery worker started by test_ien_worker.py: the test settings, nothing eager, and the
test's IEN key file and local receiver allowed."""

from ccpro.settings.test import *  # noqa: F403
from ccpro.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE")
IEN_ALLOW_PRIVATE_HOSTS = True
IEN_PRIVATE_KEY_FILE = env("IEN_PRIVATE_KEY_FILE")
