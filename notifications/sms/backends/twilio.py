"""A Twilio-compatible REST provider: POST {SMS_PROVIDER_URL}/2010-04-01/Accounts/{sid}/Messages.json.

Basic auth with the account SID and token, form fields To/From/Body, answers 201 with the message `sid`.
Any other answer, a timeout or a connection error raises `SmsProviderError` (unless fail_silently), which
the delivery records and Celery retries. Only the standard library is used (no SDK needed for one call).
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .. import SmsProviderError
from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def __init__(
        self, *args, account_sid=None, auth_token=None, from_number=None, base_url=None, timeout=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.account_sid = account_sid or settings.SMS_PROVIDER_ACCOUNT_SID
        self.auth_token = auth_token or settings.SMS_PROVIDER_AUTH_TOKEN
        self.from_number = from_number or settings.SMS_PROVIDER_FROM
        self.base_url = (base_url or settings.SMS_PROVIDER_URL).rstrip("/")
        self.timeout = timeout or settings.SMS_PROVIDER_TIMEOUT
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured("set SMS_PROVIDER_ACCOUNT_SID, SMS_PROVIDER_AUTH_TOKEN and SMS_PROVIDER_FROM")
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("SMS_PROVIDER_URL must be an http(s) URL")
        self.references: list[str] = []

    def _post(self, message) -> str:
        url = f"{self.base_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        body = urllib.parse.urlencode({"To": message.to, "From": self.from_number, "Body": message.body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked in __init__)
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read()[:300].decode("utf-8", "replace")
            raise SmsProviderError(f"provider answered {error.code}: {detail}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsProviderError(f"provider unreachable: {error}") from error
        except ValueError as error:
            raise SmsProviderError("provider answered with malformed JSON") from error
        return str(payload.get("sid", ""))

    def send_messages(self, messages) -> int:
        sent = 0
        for message in messages:
            try:
                self.references.append(self._post(message))
            except SmsProviderError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent
