"""Signed, expiring links to the portal's KYC pages (`links` of the KYC object, video cancel/reschedule).

Scheme (docs/decisions.md, KYC): `<KYC_LINK_BASE_URL>/kyc/<page>/<JWT>?display=…&expires=…&lang=…&signature=…`
- the JWT's payload is `{"user": uuid, "access": <random>, "expire": unix, "page": page}`, signed RS512 with
  `KYC_LINK_PRIVATE_KEY` (PEM) as the reference shows, or HS512 with a key derived from SECRET_KEY when no RSA
  key is configured (development);
- `signature` is the hex HMAC-SHA256, under a key derived from SECRET_KEY, of the link's path and query without
  the signature (`/kyc/<page>/<JWT>?display=…&expires=…&lang=…`), as Laravel's signed routes do; the host is
  left out so the link survives a proxy in front of the portal.
A link is valid when both check, `expires` equals the JWT's `expire` and that time has not passed.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
from django.conf import settings

PAGES = {
    "address": "address",
    "documents": "documents",
    "video": "video",
    "enhancedDueDiligence": "edd",
    "video_cancel": "video-cancel",
    "video_reschedule": "video-reschedule",
}


def _derived_key(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"kyc-links:{purpose}".encode(), hashlib.sha512).digest()


def _signing() -> tuple[object, object, str]:
    """(signing key, verifying key, algorithm)."""
    pem = getattr(settings, "KYC_LINK_PRIVATE_KEY", "")
    if pem:
        from cryptography.hazmat.primitives import serialization

        private = serialization.load_pem_private_key(pem.encode(), password=None)
        return private, private.public_key(), "RS512"
    key = _derived_key("jwt")
    return key, key, "HS512"


def _signature(path_and_query: str) -> str:
    return hmac.new(_derived_key("url"), path_and_query.encode(), hashlib.sha256).hexdigest()


def link_build(*, user, page: str, now: int | None = None) -> str:
    now = int(time.time()) if now is None else now
    expire = now + settings.KYC_LINK_TTL_SECONDS
    key, _verify, algorithm = _signing()
    token = jwt.encode(
        {"user": str(user.pk), "access": secrets.token_urlsafe(30), "expire": expire, "page": PAGES[page]},
        key,
        algorithm=algorithm,
    )
    query = urlencode({"display": user.theme or "light", "expires": expire, "lang": user.language or "en"})
    relative = f"/kyc/{PAGES[page]}/{token}?{query}"
    return f"{settings.KYC_LINK_BASE_URL}{relative}&signature={_signature(relative)}"


# Links handed out again (per process): a profile read shows up to four links, and signing one costs 0.02 ms
# (HS512) to 1.3 ms (RS512, 4096-bit key). A link signed less than a tenth of its lifetime ago is as good as a
# new one (the same bearer capability, for the same user, page, theme and language), so it is reused; keyed
# by the signing settings too, so a key change signs anew.
LINK_REUSE_SHARE = 10
_REUSED: dict[tuple, tuple[int, str]] = {}


def link_reused(*, user, page: str) -> str:
    """`link_build`, or the same link when it was signed in this process less than TTL/10 seconds ago."""
    now = int(time.time())
    key = (
        str(user.pk),
        page,
        user.theme,
        user.language,
        settings.KYC_LINK_BASE_URL,
        settings.KYC_LINK_TTL_SECONDS,
        settings.SECRET_KEY,
        getattr(settings, "KYC_LINK_PRIVATE_KEY", ""),
    )
    found = _REUSED.get(key)
    if found is not None and found[0] <= now < found[0] + settings.KYC_LINK_TTL_SECONDS // LINK_REUSE_SHARE:
        return found[1]
    link = link_build(user=user, page=page, now=now)
    if len(_REUSED) >= 4096:
        _REUSED.clear()
    _REUSED[key] = (now, link)
    return link


@dataclass(frozen=True)
class VerifiedLink:
    user_id: str
    page: str


def link_verify(*, page_slug: str, token: str, query: dict, now: int | None = None) -> VerifiedLink | None:
    """The user and page a link names, or None when anything about it is wrong or it has expired."""
    now = int(time.time()) if now is None else now
    signature = str(query.get("signature", ""))
    rest = urlencode({key: query.get(key, "") for key in ("display", "expires", "lang")})
    if not hmac.compare_digest(signature, _signature(f"/kyc/{page_slug}/{token}?{rest}")):
        return None
    _key, verify, algorithm = _signing()
    try:
        payload = jwt.decode(token, verify, algorithms=[algorithm])
    except jwt.PyJWTError:
        return None
    expire = payload.get("expire")
    if payload.get("page") != page_slug or not isinstance(expire, int) or str(expire) != str(query.get("expires")):
        return None
    if expire < now:
        return None
    return VerifiedLink(user_id=str(payload.get("user")), page=page_slug)
