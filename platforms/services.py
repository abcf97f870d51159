"""Writes about platforms: creating them, their keys and staff, their users' tokens, and the instant event
notifications (IEN) sent to them."""

import logging
import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ccpro import errors

from . import auth, ien, keys
from .exceptions import InvalidPublicKey, JwtPayloadInvalid, NoValidData
from .models import DEFAULT_PLATFORM_CODE, IenCall, IenEvent, Platform, PlatformKey, PlatformStaff, PlatformUserLink

log = logging.getLogger(__name__)


def default_platform() -> Platform:
    platform, _ = Platform.objects.get_or_create(
        code=DEFAULT_PLATFORM_CODE, defaults={"name": "CryptoCoin", "base_url": "https://app.cryptocoin.pro/"}
    )
    return platform


@transaction.atomic
def platform_user_link(*, user, platform: Platform | None = None, external: dict | None = None) -> PlatformUserLink:
    """Link a user to the platform they came through (the house platform when none)."""
    external = external or {}
    link, _ = PlatformUserLink.objects.get_or_create(
        platform=platform or default_platform(),
        user=user,
        defaults={
            "external_user_id": external.get("userId", "") or "",
            "email": external.get("email", "") or "",
            "username": external.get("username", "") or "",
            "referral_id": external.get("referralId", "") or "",
        },
    )
    return link


# --- Platforms and their keys ----------------------------------------------------------------------


def hmac_secret_generate() -> str:
    return secrets.token_urlsafe(48)


@transaction.atomic
def platform_create(*, code: str, name: str, base_url: str = "", ien_url: str = "", **fields) -> tuple[Platform, str]:
    """A new platform with a fresh RSA key pair and HMAC secret; returns the private key (PEM), which CCPro
    does not keep: it is shown once to be handed to the partner."""
    code = code.strip().upper()
    if Platform.objects.filter(code__iexact=code).exists():
        raise errors.StateConflict(f"A platform with code {code} already exists.")
    platform = Platform(code=code, name=name, base_url=base_url, ien_url=ien_url, **fields)
    platform.hmac_secret = platform.hmac_secret or hmac_secret_generate()
    platform.full_clean()
    platform.save()
    private_pem = platform_key_generate(platform=platform)
    return platform, private_pem


@transaction.atomic
def platform_key_add(*, platform: Platform, public_key: str, rotate: bool = True) -> PlatformKey:
    """Add an RSA public key (PEM, >= 2048 bits). With `rotate`, the keys valid so far stay valid for the grace
    period (PLATFORM_KEY_ROTATION_GRACE_HOURS) and then stop verifying tokens."""
    try:
        key = keys.rsa_public_key_load(public_key)
    except keys.PublicKeyError as exc:
        raise InvalidPublicKey(errors={"publicKey": [str(exc)]}) from exc
    fingerprint = keys.fingerprint(key)
    now = timezone.now()
    Platform.objects.select_for_update().filter(pk=platform.pk).first()
    if platform.keys.filter(fingerprint=fingerprint).exists():
        raise InvalidPublicKey(errors={"publicKey": ["This public key is already registered for the platform."]})
    if rotate:
        grace_end = now + timedelta(hours=settings.PLATFORM_KEY_ROTATION_GRACE_HOURS)
        platform.keys.filter(valid_until__isnull=True).update(valid_until=grace_end)
        platform.keys.filter(valid_until__gt=grace_end).update(valid_until=grace_end)
    return PlatformKey.objects.create(
        platform=platform, public_key=keys.public_key_pem(key), bits=key.key_size, fingerprint=fingerprint
    )


def platform_key_generate(*, platform: Platform) -> str:
    """Issue a new key pair to the platform (rotating the old keys); returns the private key once."""
    private_pem, public_pem = keys.rsa_key_pair_generate()
    platform_key_add(platform=platform, public_key=public_pem)
    return private_pem


@transaction.atomic
def platform_key_revoke(*, key: PlatformKey) -> None:
    """Stop a key at once (a leaked key gets no grace period)."""
    PlatformKey.objects.filter(pk=key.pk).update(valid_until=timezone.now())


@transaction.atomic
def platform_update(
    *, platform: Platform, name: str, base_url: str, ien_url: str, ien_type: str, color_code: str
) -> Platform:
    """Platform Update: what the platform itself may change through the API."""
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    platform.name = name
    platform.base_url = base_url
    platform.ien_url = ien_url
    platform.ien_type = ien_type
    platform.color_code = color_code
    platform.full_clean(exclude=["code"])
    platform.save(update_fields=["name", "base_url", "ien_url", "ien_type", "color_code"])
    return platform


@transaction.atomic
def platform_staff_add(*, platform: Platform, user, role: str = PlatformStaff.Role.VIEWER) -> PlatformStaff:
    staff, created = PlatformStaff.objects.get_or_create(platform=platform, user=user, defaults={"role": role})
    if not created and (staff.role != role or not staff.is_active):
        staff.role, staff.is_active = role, True
        staff.save(update_fields=["role", "is_active"])
    return staff


# --- authenticate-jwt --------------------------------------------------------------------------------


def platform_user_authenticate(*, platform_id, token: str, ip: str | None = None, user_agent: str = ""):
    """POST authenticate-jwt/{platform}: a JWT the platform signed with payload {email|id, expire} → an access
    token (type platform) for that user, who must be linked to the platform. Returns (AccessToken, secret)."""
    # accounts.services imports this module (registration links users to platforms): import it when used.
    from accounts.models import AccessToken, SecurityEvent
    from accounts.services import access_token_create, security_event_record

    from .selectors import platform_get_active, platform_link_for_user

    platform = platform_get_active(platform_id=platform_id)
    if platform is None:
        raise JwtPayloadInvalid()
    payload = auth.platform_jwt_decode(platform=platform, token=token)
    try:
        expire = auth.expire_check(payload)
    except auth.ExpireInvalid as exc:
        raise NoValidData(errors={"expire": "The expire field is required and must be a timestamp."}) from exc
    except auth.ExpireInPast as exc:
        raise NoValidData(errors={"expire": "Invalid time in expire. Must be in future!"}) from exc
    except auth.ExpireTooFar as exc:
        limit = settings.PLATFORM_JWT_MAX_LIFETIME_SECONDS
        raise NoValidData(
            errors={"expire": f"Invalid time in expire. Must be at most {limit} seconds in future!"}
        ) from exc
    user_id, email = payload.get("id"), payload.get("email")
    if not isinstance(user_id, str | type(None)) or not isinstance(email, str | type(None)) or not (user_id or email):
        raise NoValidData(errors={"email": "The email field is required when id is not present."})
    link = platform_link_for_user(platform=platform, user_id=user_id or None, email=None if user_id else email)
    if link is None or link.user.closed_at is not None:
        field = "id" if user_id else "email"
        raise NoValidData(errors={field: f"No user with this {field} is linked to the platform."})
    if not auth.jti_consume(platform=platform, payload=payload, expire=expire):
        raise NoValidData(errors={"jti": "This token was already used."})
    with transaction.atomic():
        token, raw = access_token_create(user=link.user, ip=ip, user_agent=user_agent, type=AccessToken.Type.PLATFORM)
        security_event_record(
            user=link.user, code=SecurityEvent.Code.LOGIN_SUCCESS, ip=ip, actor=SecurityEvent.Actor.PLATFORM
        )
    return token, raw


# --- Instant event notifications ---------------------------------------------------------------------


def ien_emit(*, platform: Platform, event_type: str, stream: str, obj_payload: dict) -> IenEvent | None:
    """Record an event for the platform, in the caller's transaction; it is sent after commit (nothing is sent
    if the transaction rolls back). `stream` names the object (`order:<id>`): its events arrive in order.
    Platforms without an IEN URL, and the house platform, get nothing."""
    if not platform.ien_url or platform.code == DEFAULT_PLATFORM_CODE or not platform.active:
        return None
    now = timezone.now()
    event = IenEvent.objects.create(
        platform=platform,
        type=event_type,
        stream=stream[:128],
        payload=obj_payload,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + timedelta(hours=settings.IEN_RETRY_FOR_HOURS),
    )
    _ien_enqueue(event.pk)
    return event


def ien_emit_for_user(*, user, event_type: str, stream: str, obj_payload: dict) -> list[IenEvent]:
    """The same event to every platform the user is actively linked to."""
    links = PlatformUserLink.objects.filter(user=user, active=True, platform__active=True).select_related("platform")
    events = [
        ien_emit(platform=link.platform, event_type=event_type, stream=stream, obj_payload=obj_payload)
        for link in links
    ]
    return [e for e in events if e is not None]


def _ien_enqueue(event_pk: int) -> None:
    from .tasks import ien_deliver_task

    # robust: a broker outage does not fail the caller's request; the beat sweep sends due events anyway.
    transaction.on_commit(lambda: ien_deliver_task.delay(event_pk=event_pk), robust=True)


def ien_backoff_seconds(attempts: int) -> int:
    """Exponential backoff with jitter: base × 2^(attempts−1), capped, then a random 50–100 % of it (whole seconds)."""
    ceiling = min(settings.IEN_BACKOFF_MAX_SECONDS, settings.IEN_BACKOFF_BASE_SECONDS * 2 ** min(attempts - 1, 20))
    return max(1, random.randint(ceiling // 2, ceiling))  # noqa: S311 - jitter, not a secret


def _earlier_pending(event: IenEvent) -> bool:
    return IenEvent.objects.filter(
        platform_id=event.platform_id, stream=event.stream, status=IenEvent.Status.PENDING, pk__lt=event.pk
    ).exists()


def ien_deliver(*, event_pk: int, now=None) -> str:
    """Try to deliver one event now. Returns what happened: `delivered`, `retry` (failed; next try after a
    backoff), `failed` (gave up after IEN_RETRY_FOR_HOURS), `waiting` (an earlier event of its object is still
    pending), `busy` (another worker has it), `done` (already delivered or failed), `missing`.

    The row is locked while sending, so a duplicated task never sends an event twice at the same time; the
    event id is the same on every attempt and every attempt is logged (IenCall)."""
    now = now or timezone.now()
    next_pk = None
    with transaction.atomic():
        event = (
            IenEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("platform")
            .filter(pk=event_pk)
            .first()
        )
        if event is None:
            return "busy" if IenEvent.objects.filter(pk=event_pk).exists() else "missing"
        if event.status != IenEvent.Status.PENDING:
            return "done"
        if _earlier_pending(event):
            return "waiting"
        platform = event.platform
        event.attempts += 1
        outcome = ien.ien_post(platform=platform, event=event)
        IenCall.objects.create(
            platform=platform,
            event=event,
            endpoint=outcome.endpoint[:255],
            verb="POST",
            request=outcome.request,
            status=str(outcome.status or ""),
            response=outcome.response,
            error=outcome.error[:255],
            duration_ms=outcome.duration_ms,
            created_at=now,
        )
        if outcome.ok:
            event.status = IenEvent.Status.DELIVERED
            event.delivered_at = now
            event.last_error = ""
            result = "delivered"
        else:
            event.last_error = outcome.error or f"HTTP {outcome.status}"
            if now >= event.give_up_at:
                event.status = IenEvent.Status.FAILED
                result = "failed"
            else:
                event.next_attempt_at = now + timedelta(seconds=ien_backoff_seconds(event.attempts))
                result = "retry"
            log.warning(
                "IEN %s to %s failed (attempt %s): %s", event.event_id, platform.code, event.attempts, event.last_error
            )
        event.save(update_fields=["status", "attempts", "delivered_at", "last_error", "next_attempt_at"])
        if result in ("delivered", "failed"):
            # The next event of the same object need not wait for the sweep.
            next_pk = (
                IenEvent.objects.filter(
                    platform_id=event.platform_id, stream=event.stream, status=IenEvent.Status.PENDING, pk__gt=event.pk
                )
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if next_pk is not None:
                _ien_enqueue(next_pk)
    return result


def ien_dispatch_due(*, now=None, limit: int = 500) -> int:
    """Enqueue the pending events whose (re)try is due, oldest first (the beat sweep). Returns how many."""
    now = now or timezone.now()
    due = list(
        IenEvent.objects.filter(status=IenEvent.Status.PENDING, next_attempt_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        for pk in due:
            _ien_enqueue(pk)
    return len(due)


@transaction.atomic
def ien_resend(*, event: IenEvent) -> IenEvent:
    """Staff send an event again (same event id): a failed one is retried, a delivered one is sent once more."""
    event = IenEvent.objects.select_for_update().get(pk=event.pk)
    now = timezone.now()
    event.status = IenEvent.Status.PENDING
    event.next_attempt_at = now
    event.give_up_at = now + timedelta(hours=settings.IEN_RETRY_FOR_HOURS)
    event.save(update_fields=["status", "next_attempt_at", "give_up_at"])
    _ien_enqueue(event.pk)
    return event
