"""Settings shared by every environment, read from environment variables (django-environ).

With no DATABASE_URL / CELERY_BROKER_URL / REDIS_URL the project falls back to embedded defaults
(an SQLite file, Celery's filesystem transport, a database cache) so a newcomer can run it with nothing
but Python; production and the test suite set all three to PostgreSQL and Redis.
"""

import logging
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# The embedded defaults' files (SQLite database, filesystem broker, mail, SMS, uploads): var/ of the checkout.
VAR_DIR = Path(env("CCPRO_VAR_DIR", default=str(BASE_DIR / "var")))

log = logging.getLogger("ccpro.settings")

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public base URL of this deployment, used in links sent by mail (verification, reset password).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Admin second factor (TOTP): django-otp, maintained by the django-otp project (accounts/staff_otp.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ccpro.uploads",
    "ccpro.api",
    "accounts",
    "kyc",
    "trading",
    "platforms",
    "notifications",
]

# Sessions, the session's user, its OTP check and messages serve the portal and the admin only: the
# ccpro.api.middleware classes are Django's (and django-otp's) doing nothing for paths under API_PATH_PREFIXES,
# whose requests carry a bearer token and read none of them (docs/performance.md, Session 3). CSRF stays as it
# is (its checks skip the CSRF-exempt API views already, and `check --deploy` looks for it by name).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ccpro.api.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "ccpro.api.middleware.AuthenticationMiddleware",
    "ccpro.api.middleware.OTPMiddleware",
    # Portal pages in the signed-in user's options.language (the API and admin stay in the default language).
    "accounts.middleware.UserLanguageMiddleware",
    "ccpro.api.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
API_PATH_PREFIXES = ("/api/v1/",)

ROOT_URLCONF = "ccpro.urls"
WSGI_APPLICATION = "ccpro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "ccpro.sqlite3",
            # Web and Celery processes write concurrently: WAL, immediate write locks and a busy timeout
            # make them wait for each other instead of failing with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
    log.warning("DATABASE_URL not set: using the embedded SQLite database %s", DATABASES["default"]["NAME"])
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Prepared statements for the few fixed hot-path statements (ccpro/db.py; the ORM keeps client-side binding and
# never prepares): psycopg prepares a statement after it ran 5 times on a connection. Turn them off behind a
# transaction-pooling PgBouncer older than 1.21 or without max_prepared_statements (docs/deployment.md).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttles, rate limits, current rates) --------------------------------------------
if env("REDIS_URL", default=""):
    # Django's Redis cache reusing one redis-py client instead of building one per call (ccpro/cache.py).
    CACHES = {"default": {"BACKEND": "ccpro.cache.RedisCache", "LOCATION": env("REDIS_URL")}}
else:
    # A database cache is shared by the web server and the Celery processes, which rate limits need.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ccpro_cache"}}
    log.warning("REDIS_URL not set: using the database cache table 'ccpro_cache'")
RATELIMIT_USE_CACHE = "default"

# --- Auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "/login"

# API access tokens (POST authenticate): lifetime in seconds, and how stale lastUsedAt may get
# before a request writes it again (so reads don't write on every request).
ACCESS_TOKEN_TTL_SECONDS = env.int("ACCESS_TOKEN_TTL_SECONDS", default=1_209_600)
ACCESS_TOKEN_LAST_USED_RESOLUTION_SECONDS = env.int("ACCESS_TOKEN_LAST_USED_RESOLUTION_SECONDS", default=60)
# One-time codes (email verification, password reset).
EMAIL_CODE_TTL = timedelta(hours=env.int("EMAIL_CODE_TTL_HOURS", default=24))
PASSWORD_RESET_TTL = timedelta(minutes=env.int("PASSWORD_RESET_TTL_MINUTES", default=60))
ONE_TIME_CODE_MAX_ATTEMPTS = env.int("ONE_TIME_CODE_MAX_ATTEMPTS", default=5)
# Login brute-force limits (django-ratelimit rates: count/period).
LOGIN_RATE_PER_ACCOUNT = env("LOGIN_RATE_PER_ACCOUNT", default="5/15m")
LOGIN_RATE_PER_IP = env("LOGIN_RATE_PER_IP", default="30/15m")
MAIL_RATE_PER_IP = env("MAIL_RATE_PER_IP", default="20/h")
# Account closing: grace period between the request and the anonymisation.
SELF_DELETE_GRACE_PERIOD = timedelta(days=env.int("SELF_DELETE_GRACE_DAYS", default=30))
# Idempotency-Key records of money-moving POSTs are kept at least this long (ccpro/api/idempotency.py).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)

# The house's receiving bank account: where buyers paying by bank transfer send the money (the order page and the
# signed bank-confirm page, trading/payment_page.py), from HOUSE_BANK_*. No default in any settings: a deployment
# that forgets them shows "do not send money" rather than someone else's account, and `check --deploy` fails
# (trading/checks.py). The demo's account is set by scripts/demo_env.sh, which scripts/run.sh sources.
HOUSE_BANK_ACCOUNT = {
    "beneficiary": env("HOUSE_BANK_BENEFICIARY", default=""),
    "bank": env("HOUSE_BANK_NAME", default=""),
    "iban": env("HOUSE_BANK_IBAN", default=""),
    "swift": env("HOUSE_BANK_SWIFT", default=""),
}
# Proof uploads through the signed bank-confirm page, per client IP (django-ratelimit rate).
PAYMENT_PAGE_PROOF_RATE_PER_IP = env("PAYMENT_PAGE_PROOF_RATE_PER_IP", default="20/h")

# Admin second factor: the issuer shown by authenticator apps for the staff TOTP devices (accounts/staff_otp.py).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="CCPro")

# KYC (issue 7): uploads per user per day, SMS codes and their throttles, video slots, signed portal links
# (kyc/links.py; RS512 with KYC_LINK_PRIVATE_KEY, else HS512 under a key derived from SECRET_KEY).
KYC_UPLOADS_PER_DAY = env.int("KYC_UPLOADS_PER_DAY", default=20)
KYC_SMS_CODE_TTL = timedelta(minutes=env.int("KYC_SMS_CODE_TTL_MINUTES", default=10))
KYC_SMS_CODE_MAX_ATTEMPTS = env.int("KYC_SMS_CODE_MAX_ATTEMPTS", default=5)
KYC_SMS_RATE_PER_USER = env("KYC_SMS_RATE_PER_USER", default="5/h")
KYC_SMS_RATE_PER_NUMBER = env("KYC_SMS_RATE_PER_NUMBER", default="3/h")
KYC_VIDEO_SLOT_MINUTES = env.int("KYC_VIDEO_SLOT_MINUTES", default=30)
KYC_LINK_BASE_URL = env("KYC_LINK_BASE_URL", default=SITE_URL).rstrip("/")
KYC_LINK_TTL_SECONDS = env.int("KYC_LINK_TTL_SECONDS", default=86_400)
KYC_LINK_PRIVATE_KEY = env("KYC_LINK_PRIVATE_KEY", default="").replace("\\n", "\n")

# Partner platforms: the JWTs they sign (token header, authenticate-jwt) and the instant event notifications
# (IEN) CCPro sends them.
PLATFORM_JWT_MAX_LIFETIME_SECONDS = env.int("PLATFORM_JWT_MAX_LIFETIME_SECONDS", default=86_400)
PLATFORM_KEY_ROTATION_GRACE_HOURS = env.int("PLATFORM_KEY_ROTATION_GRACE_HOURS", default=72)
IEN_PRIVATE_KEY = env("IEN_PRIVATE_KEY", default="").replace("\\n", "\n")
IEN_PRIVATE_KEY_FILE = env("IEN_PRIVATE_KEY_FILE", default=str(VAR_DIR / "ien_private_key.pem"))
IEN_PRIVATE_KEY_AUTOGENERATE = env.bool("IEN_PRIVATE_KEY_AUTOGENERATE", default=True)
IEN_ALLOW_PRIVATE_HOSTS = env.bool("IEN_ALLOW_PRIVATE_HOSTS", default=False)  # local testing only
IEN_TIMEOUT_SECONDS = env.int("IEN_TIMEOUT_SECONDS", default=5)
IEN_RETRY_FOR_HOURS = env.int("IEN_RETRY_FOR_HOURS", default=24)
IEN_BACKOFF_BASE_SECONDS = env.int("IEN_BACKOFF_BASE_SECONDS", default=10)
IEN_BACKOFF_MAX_SECONDS = env.int("IEN_BACKOFF_MAX_SECONDS", default=3600)

# --- I18N --------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ro", "Română")]
TIME_ZONE = "UTC"
USE_I18N = True
# The portal's translations (en, ro): locale/ro/LC_MESSAGES/django.po and the compiled .mo are both committed.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# User uploads are private: MEDIA_ROOT is never served by URL, only through authorised views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    # S3-compatible storage for uploads when several web nodes share them (docs/deployment.md).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10_240 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Mail and SMS ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CCPro <no-reply@ccpro.local>")
SMS_BACKEND = env("SMS_BACKEND", default="notifications.sms.backends.console.SmsBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
# notifications.sms.backends.twilio.SmsBackend: any Twilio-compatible REST API.
SMS_PROVIDER_URL = env("SMS_PROVIDER_URL", default="https://api.twilio.com")
SMS_PROVIDER_ACCOUNT_SID = env("SMS_PROVIDER_ACCOUNT_SID", default="")
SMS_PROVIDER_AUTH_TOKEN = env("SMS_PROVIDER_AUTH_TOKEN", default="")
SMS_PROVIDER_FROM = env("SMS_PROVIDER_FROM", default="")
SMS_PROVIDER_TIMEOUT = env.int("SMS_PROVIDER_TIMEOUT", default=10)  # seconds

# --- Celery ------------------------------------------------------------------------------------
if env("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = env("CELERY_BROKER_URL")
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    # Kombu's filesystem transport: a broker that needs no server, shared by web, worker and beat.
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        # Broadcast (remote control) exchanges; kombu's default is ./control in the working directory.
        "control_folder": str(_queue_dir / "control"),
    }
    log.warning("CELERY_BROKER_URL not set: using the embedded filesystem broker in %s", _queue_dir)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# How long a quote holds its price (lifeSeconds).
QUOTE_LIFE_SECONDS = env.int("QUOTE_LIFE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "accounts-close-due": {"task": "accounts.tasks.account_close_due_task", "schedule": 3600.0},
    "accounts-purge-expired-tokens": {"task": "accounts.tasks.access_token_purge_expired_task", "schedule": 3600.0},
    "api-purge-idempotency-keys": {"task": "ccpro.api.tasks.idempotency_key_purge_task", "schedule": 3600.0},
    # Expire pending transfers past their 180 s life and release their reservations (trading/transfers.py).
    "trading-transfers-expire": {
        "task": "trading.tasks.transfer_expire_due_task",
        "schedule": env.float("TRANSFER_EXPIRY_SECONDS", default=15.0),
        "options": {"expires": 60},
    },
    # Poll the configured rate provider (RateFeed in the admin); rates older than its max age are stale.
    "trading-rates-poll": {
        "task": "trading.tasks.rates_poll_task",
        "schedule": env.float("RATES_POLL_SECONDS", default=10.0),
        "options": {"expires": 30},
    },
    "trading-rate-snapshots-compact": {"task": "trading.tasks.rate_snapshots_compact_task", "schedule": 3600.0},
    # Quotes whose life ran out become expired (set-based, idempotent; see trading.orders.quote_expire_due).
    "trading-quote-expire-due": {
        "task": "trading.tasks.quote_expire_due_task",
        "schedule": 15.0,
        "options": {"expires": 60},
    },
    "notifications-redeliver-stale": {"task": "notifications.tasks.delivery_redeliver_stale_task", "schedule": 600.0},
    # The deliveries written without a task message (a transfer's notifications) handed to delivery_send_task, each
    # once (notifications.services.deliveries_queue_pending): mail and SMS leave within this period.
    "notifications-deliveries-send-pending": {
        "task": "notifications.tasks.deliveries_send_pending_task",
        "schedule": env.float("DELIVERY_SWEEP_SECONDS", default=2.0),
        "options": {"expires": 10},
    },
    # Instant event notifications due for a (re)try: new ones go at once, failed ones after their backoff.
    "platforms-ien-dispatch": {
        "task": "platforms.tasks.ien_dispatch_due_task",
        "schedule": 5.0,
        "options": {"expires": 30},
    },
    # Checkouts whose expiredAt passed become expired (set-based, each once; platforms.checkout.checkout_expire_due).
    "platforms-checkout-expire-due": {
        "task": "platforms.checkout_tasks.checkout_expire_due_task",
        "schedule": 30.0,
        "options": {"expires": 60},
    },
}

# --- REST framework and OpenAPI ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["ccpro.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["ccpro.api.renderers.ContractJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ccpro.api.negotiation.JsonOnlyContentNegotiation",
    "EXCEPTION_HANDLER": "ccpro.api.exception_handler.contract_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ccpro.api.schema.ContractAutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCPro API",
    "DESCRIPTION": "Custodial crypto broker and fiat on-ramp. Contract: shared/spec/api-reference.txt.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {"BearerToken": {"type": "http", "scheme": "bearer"}},
    },
    # Swagger UI served from this server (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Logging -----------------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="text")  # "json" for structured logs in production
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
