"""Platform JWTs: the one verification of tokens partner platforms sign, the DRF authentication class for the
`token` header of the platform endpoints, and their base view.

A token is accepted only when it is signed with the platform's configured algorithm (never `none`, never an
HMAC keyed with a public key: RS* tokens are checked against the platform's RSA keys only, HS* tokens against
its shared secret only), by a key valid now (a rotated key for its grace period), and carries an `expire` in
the future but no further than PLATFORM_JWT_MAX_LIFETIME_SECONDS. A token with a `jti` is accepted once.
"""

import time
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from . import keys
from .exceptions import JwtExpired, JwtPayloadInvalid
from .models import RSA_ALGORITHMS, Platform
from .selectors import platform_get_active, platform_keys_valid

MAX_TOKEN_LENGTH = 8192


def platform_jwt_decode(*, platform: Platform, token: str) -> dict:
    """The verified payload of a JWT signed by `platform`; JwtPayloadInvalid for anything else. Claims other
    than a standard `exp` (checked by PyJWT) are left to the caller."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise JwtPayloadInvalid()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise JwtPayloadInvalid() from exc
    algorithm = platform.jwt_algorithm
    if header.get("alg") != algorithm:
        raise JwtPayloadInvalid()
    if algorithm in RSA_ALGORITHMS:
        candidates = []
        for key in platform_keys_valid(platform=platform):
            try:
                candidates.append(keys.rsa_public_key_load(key.public_key))
            except keys.PublicKeyError:
                continue  # never verify with a key below the minimum size, even if one was stored
    else:
        candidates = [platform.hmac_secret] if len(platform.hmac_secret) >= 32 else []
    for key in candidates:
        try:
            payload = jwt.decode(token, key, algorithms=[algorithm], options={"verify_aud": False})
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError as exc:
            raise JwtExpired() from exc
        except jwt.PyJWTError as exc:
            raise JwtPayloadInvalid() from exc
        if not isinstance(payload, dict):
            raise JwtPayloadInvalid()
        return payload
    raise JwtPayloadInvalid()


class ExpireInvalid(ValueError):
    """`expire` is missing or not a Unix timestamp."""


class ExpireInPast(ValueError):
    pass


class ExpireTooFar(ValueError):
    pass


def expire_check(payload: dict, *, now: int | None = None) -> int:
    """The payload's `expire` (Unix seconds, int or digit string), which must be >= now and <= now + max."""
    now = int(time.time()) if now is None else now
    expire = payload.get("expire")
    if isinstance(expire, str) and expire.isdigit() and len(expire) <= 12:
        expire = int(expire)
    if isinstance(expire, bool) or not isinstance(expire, int):
        raise ExpireInvalid()
    if expire < now:
        raise ExpireInPast()
    if expire > now + settings.PLATFORM_JWT_MAX_LIFETIME_SECONDS:
        raise ExpireTooFar()
    return expire


def jti_consume(*, platform: Platform, payload: dict, expire: int, now: int | None = None) -> bool:
    """False when the token carries a `jti` already seen for this platform (a replay); tokens without one pass."""
    jti = payload.get("jti")
    if jti is None:
        return True
    if not isinstance(jti, str) or not 0 < len(jti) <= 128:
        return False
    now = int(time.time()) if now is None else now
    return cache.add(f"platforms:jti:{platform.pk}:{jti}", 1, timeout=max(1, expire - now + 1))


def platform_request_verify(*, platform: Platform, token: str) -> dict:
    """A platform endpoint's `token`: payload {platform, expire}, as the reference's 401 bodies say."""
    payload = platform_jwt_decode(platform=platform, token=token)
    try:
        claimed = uuid.UUID(str(payload.get("platform")))
    except ValueError as exc:
        raise JwtPayloadInvalid() from exc
    if claimed != platform.pk:
        raise JwtPayloadInvalid()
    try:
        expire = expire_check(payload)
    except ExpireInPast as exc:
        raise JwtExpired() from exc
    except ValueError as exc:
        raise JwtPayloadInvalid() from exc
    if not jti_consume(platform=platform, payload=payload, expire=expire):
        raise JwtPayloadInvalid()
    return payload


@dataclass(frozen=True)
class PlatformCaller:
    """`request.user` of a platform endpoint: the platform that signed the token."""

    platform: Platform
    is_authenticated = True
    is_active = True


class PlatformJwtAuthentication(BaseAuthentication):
    """Header `token: <JWT>` signed by the platform named in the path (`platform/<platform>/…`)."""

    def authenticate(self, request):
        raw = request.META.get("HTTP_TOKEN", "")
        if not raw:
            return None
        platform_id = (request.parser_context or {}).get("kwargs", {}).get("platform")
        platform = platform_get_active(platform_id=platform_id)
        if platform is None:
            raise JwtPayloadInvalid()
        payload = platform_request_verify(platform=platform, token=raw.strip())
        return PlatformCaller(platform=platform), payload

    def authenticate_header(self, request):
        return 'Token realm="platform"'


class PlatformApiView(APIView):
    """An endpoint for a partner platform: 401 without a valid platform JWT for the `{platform}` of the path.

    The handler receives the authenticated Platform object as `platform`, so it cannot read another's data."""

    authentication_classes = (PlatformJwtAuthentication,)
    permission_classes = (IsAuthenticated,)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.kwargs["platform"] = request.user.platform


class PlatformJwtScheme(OpenApiAuthenticationExtension):
    """Documents PlatformJwtAuthentication as the `PlatformJwt` security scheme (header `token`)."""

    target_class = "platforms.auth.PlatformJwtAuthentication"
    name = "PlatformJwt"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "token",
            "description": "JWT signed by the platform (RS512 by default), payload {platform, expire}.",
        }
