"""Production: everything from the environment, secure by default. `manage.py check --deploy` passes."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
# Every node must sign instant event notifications with the same key: set IEN_PRIVATE_KEY(_FILE), none is made up.
IEN_PRIVATE_KEY_AUTOGENERATE = env.bool("IEN_PRIVATE_KEY_AUTOGENERATE", default=False)
# Never the demo's receiving account: buyers are told to pay only into the one HOUSE_BANK_* names.
HOUSE_BANK_ACCOUNT = {
    "beneficiary": env("HOUSE_BANK_BENEFICIARY", default=""),
    "bank": env("HOUSE_BANK_NAME", default=""),
    "iban": env("HOUSE_BANK_IBAN", default=""),
    "swift": env("HOUSE_BANK_SWIFT", default=""),
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The health check is probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
