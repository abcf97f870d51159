from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The API contract layer as an app only so it can keep the Idempotency-Key records (models.py)."""

    name = "ccpro.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"
