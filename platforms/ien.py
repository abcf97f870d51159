"""How an instant event notification travels: the body, its signature, and one guarded HTTP POST.

- Body: `{"id": <event id>, "type": "<event type>", "platform": <platform id>, "createdAt": <unix>, "data": {…}}`,
  the same bytes on every attempt.
- `ien.type = jwt`: header `token: <JWT>` signed RS512 with CCPro's key (public key at
  /.well-known/ccpro-ien-public-key.pem), payload `{iss: "ccpro", platform, event, sha256: <hex of body>,
  iat, exp}`.
- `ien.type = hmac`: headers `X-CCPro-Timestamp: <unix>` and `X-CCPro-Signature: sha256=<hex>`, the
  HMAC-SHA256 under the platform's shared secret of `<timestamp>.<body>`.
- Both carry `X-CCPro-Event-Id` and `X-CCPro-Event-Type`.

Only http(s) URLs whose host resolves to public addresses are called (IEN_ALLOW_PRIVATE_HOSTS admits loopback
and private networks for local testing; link-local and cloud metadata addresses never), the connection goes to
the address that was checked (no second DNS lookup), redirects are not followed and timeouts are short.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
from django.conf import settings

from . import keys
from .exceptions import IenUrlRefused

RESPONSE_LOG_LIMIT = 4000
RESPONSE_READ_LIMIT = 64 * 1024
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
SIGNATURE_TTL_SECONDS = 300


@dataclass
class Outcome:
    endpoint: str
    request: str
    status: int | None = None
    response: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def ien_body(*, platform, event) -> bytes:
    body = {
        "id": str(event.event_id),
        "type": event.type,
        "platform": str(platform.pk),
        "createdAt": int(event.created_at.timestamp()),
        "data": event.payload,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def hmac_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def ien_headers(*, platform, event, body: bytes, now: int | None = None) -> dict[str, str]:
    now = int(time.time()) if now is None else now
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": "CCPro-IEN/1",
        "X-CCPro-Event-Id": str(event.event_id),
        "X-CCPro-Event-Type": event.type,
        "X-CCPro-Timestamp": str(now),
    }
    if platform.ien_type == platform.IenType.HMAC:
        headers["X-CCPro-Signature"] = "sha256=" + hmac_signature(secret=platform.hmac_secret, timestamp=now, body=body)
    else:
        claims = {
            "iss": "ccpro",
            "platform": str(platform.pk),
            "event": str(event.event_id),
            "sha256": hashlib.sha256(body).hexdigest(),
            "iat": now,
            "exp": now + SIGNATURE_TTL_SECONDS,
        }
        headers["token"] = jwt.encode(claims, keys.ien_private_key(), algorithm="RS512")
    return headers


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES or address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    if address.is_global:
        return True
    return settings.IEN_ALLOW_PRIVATE_HOSTS and (address.is_loopback or address.is_private)


def target_resolve(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path with query, checked IP) of an IEN URL; IenUrlRefused when not allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise IenUrlRefused(f"malformed URL: {url!r:.100}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise IenUrlRefused("only http(s) URLs with a host and no credentials are allowed")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise IenUrlRefused(f"host not found: {parts.hostname}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or not all(_address_allowed(a) for a in addresses):
        raise IenUrlRefused(f"{parts.hostname} resolves to a non-public address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path, str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, timeout: int):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: int):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def ien_post(*, platform, event) -> Outcome:
    """One POST of the event to the platform's IEN URL; never raises (the outcome says what happened)."""
    body = ien_body(platform=platform, event=event)
    outcome = Outcome(endpoint=platform.ien_url, request=body.decode())
    started = time.monotonic()
    try:
        scheme, host, port, path, address = target_resolve(platform.ien_url)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address=address, timeout=settings.IEN_TIMEOUT_SECONDS)
        try:
            connection.request("POST", path, body=body, headers=ien_headers(platform=platform, event=event, body=body))
            response = connection.getresponse()
            outcome.status = response.status
            outcome.response = response.read(RESPONSE_READ_LIMIT).decode("utf-8", "replace")[:RESPONSE_LOG_LIMIT]
        finally:
            connection.close()
        if not outcome.ok:
            outcome.error = f"HTTP {outcome.status}"
    except IenUrlRefused as exc:
        outcome.error = f"refused: {exc}"
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome
