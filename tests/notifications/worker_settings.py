"""Settings of the real Celery worker started by test_worker.py: the test settings, but mail and SMS go
where the test (another process) can read them, and nothing runs eagerly."""

from ccpro.settings.test import *  # noqa: F403
from ccpro.settings.test import env

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
SMS_BACKEND = env("SMS_BACKEND")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE")
