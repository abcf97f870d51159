"""Test settings: real PostgreSQL and Redis (as on CI), mail to memory, SMS to memory."""

import os

# The suite runs against the real services, as CI does; these are the machine's defaults.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ccpro")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses Argon2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.backends.locmem.SmsBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "test-media"))  # noqa: F405
# The suite's receiving account (base has none): the demo's, as scripts/demo_env.sh sets it.
HOUSE_BANK_ACCOUNT = {
    "beneficiary": "CCPro Demo SRL",
    "bank": "Demo Bank",
    "iban": "RO49 AAAA 1B31 0075 9384 0000",
    "swift": "DEMOROBU",
}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# whitenoise warns when the collected-static directory is missing; tests never collect static files.
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
