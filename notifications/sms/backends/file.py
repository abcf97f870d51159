import datetime
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Appends each SMS to a file per process under SMS_FILE_PATH, like Django's file email backend."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or settings.SMS_FILE_PATH)
        try:
            self.file_path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ImproperlyConfigured(f"SMS_FILE_PATH {self.file_path} is not writable: {exc}") from exc
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.filename = self.file_path / f"{stamp}-{os.getpid()}-{id(self)}.log"

    def send_messages(self, messages) -> int:
        with self.filename.open("a", encoding="utf-8") as stream:
            for message in messages:
                stream.write(f"To: {message.to}\n\n{message.body}\n{'-' * 79}\n")
        return len(messages)
