"""SMS delivery through a configurable backend, the way django.core.mail does it for email.

SMS_BACKEND names a class with `send_messages(messages) -> int`; console, file and locmem ship here, and
`twilio` talks to a Twilio-compatible REST API. Backends that get a provider id for each message keep them
in `connection.references` (same order as the messages).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class SmsProviderError(Exception):
    """The provider refused or could not be reached; the message was not (knowingly) sent."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


def get_connection(backend: str | None = None, **kwargs):
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)


def send_sms(to: str, body: str, *, connection=None) -> int:
    connection = connection or get_connection()
    return connection.send_messages([SmsMessage(to=to, body=body)])
