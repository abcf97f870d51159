"""Errors of notification delivery. They never reach HTTP: Celery retries on them, the admin shows them."""


class DeliveryError(Exception):
    """A send failed in a way worth retrying (provider down, SMTP refused, timeout); recorded on the delivery."""


class DeliveryBusy(DeliveryError):
    """Another worker holds the delivery right now (a duplicated task); retry later, it will find it sent."""


class DeliveryImpossible(Exception):
    """The delivery can never be sent (e.g. an account mail whose content was not kept); not retried."""
