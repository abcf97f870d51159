"""`Idempotency-Key` for money-moving POSTs, in one place: decorate the view's handler with `@idempotent`.

    class TransferCreateApi(ApiView):
        @extend_schema(...)
        @idempotent
        def post(self, request, user): ...

A request without the header runs as before. With it (1–255 visible ASCII characters, chosen by the client,
a UUID is a good choice), per user and key:

- the first request runs inside one database transaction that starts by inserting the key's row; its status and
  body are stored in that row and committed together with the request's own effects;
- a retry with the same method, path and body gets the stored status and body again (header
  `Idempotent-Replayed: true`), without running the view: no second effect;
- a concurrent duplicate blocks on PostgreSQL's unique index until the first request commits, then replays its
  answer (if the first one failed with a server error, its row is rolled back and the duplicate runs instead);
- the same key with another method, path or body → 422 in the contract's format;
- answers of any status below 500 are stored (a refusal is the answer to that request; send a new key to try
  again); a 500 stores nothing;
- keys are kept IDEMPOTENCY_KEY_TTL_HOURS (24 h by default) and then purged by a Celery beat task.

The check runs inside the handler, so authentication, the inactive-account check and `{user}` ownership are
settled before it and are never stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from ccpro import errors

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional, recommended: a unique string per intended operation (a UUID), 1–255 visible ASCII characters. "
        "Retrying with the same key and the same body returns the first answer again (with header "
        "`Idempotent-Replayed: true`) and never repeats the operation; concurrent duplicates wait for the first "
        "answer. The same key with a different body is refused with 422. Keys are remembered at least 24 hours."
    ),
)


class IdempotencyKeyInvalid(errors.InvalidInput):
    pass


def _invalid(message: str) -> IdempotencyKeyInvalid:
    return IdempotencyKeyInvalid(errors={HEADER: [message]})


def _validated_key(raw: str) -> str:
    if not raw:
        raise _invalid(f"The {HEADER} header must not be empty.")
    if len(raw) > MAX_LENGTH:
        raise _invalid(f"The {HEADER} header may not be greater than {MAX_LENGTH} characters.")
    if not all("!" <= char <= "~" for char in raw):
        raise _invalid(f"The {HEADER} header may only contain visible ASCII characters.")
    return raw


def _canonical(value):
    """The request body as plain JSON-able data, files by their name, size and content hash."""
    if isinstance(value, QueryDict):
        return {key: [_canonical(item) for item in value.getlist(key)] for key in sorted(value)}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def request_fingerprint(request) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


class _AlreadyUsed(Exception):
    def __init__(self, record: IdempotencyKey):
        self.record = record


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise _invalid(f"The {HEADER} header has already been used with a different request.")
    response = Response(json.loads(record.body) if record.body else None, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(handler):
    """Decorate an APIView handler (`post`) of a money-moving endpoint; adds the header to the OpenAPI schema."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return handler(view, request, *args, **kwargs)
        key = _validated_key(raw.strip())
        fingerprint = request_fingerprint(request)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyKey.objects.create(
                            user=request.user,
                            key=key,
                            fingerprint=fingerprint,
                            method=request.method,
                            path=request.path[:512],
                            status_code=0,
                        )
                except IntegrityError:
                    # A committed first request (a concurrent one was waited for on the unique index).
                    raise _AlreadyUsed(IdempotencyKey.objects.get(user=request.user, key=key)) from None
                try:
                    response = handler(view, request, *args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - domain errors become the stored answer
                    # The contract's error response; anything unhandled is re-raised and rolls everything back.
                    response = view.handle_exception(exc)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.body = json.dumps(response.data, cls=DjangoJSONEncoder) if response.data is not None else ""
                record.save(update_fields=["status_code", "body"])
                return response
        except _AlreadyUsed as used:
            return _replay(used.record, fingerprint)

    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def idempotency_key_purge(*, now=None) -> int:
    """Forget keys older than IDEMPOTENCY_KEY_TTL_HOURS, in one set-based delete; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
