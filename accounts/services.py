"""Writes about users: registration, verification, sign-in, tokens, passwords, account closing.

Every function is keyword-only, takes the acting user (or the identifying data of an anonymous caller)
explicitly and raises domain errors from `accounts.exceptions`; none of them knows about HTTP.
"""

import hashlib
import hmac
import secrets
import string
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_ratelimit.core import get_usage, is_ratelimited

from ccpro import errors
from notifications.services import email_enqueue
from platforms.services import platform_user_link
from trading.selectors import user_holds_balance

from . import exceptions as exc
from .models import AccessToken, OneTimeCode, SecurityEvent, User
from .selectors import access_token_live

TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 64
CODE_ALPHABET = string.ascii_uppercase + string.digits


def _keyed_hash(secret: str) -> str:
    """HMAC-SHA256 under SECRET_KEY: a leaked table of hashes cannot be brute-forced without the key."""
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def _random_string(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def security_event_record(
    *, user: User, code: str, ip: str | None, actor: str = SecurityEvent.Actor.USER, actor_user: User | None = None
) -> SecurityEvent:
    return SecurityEvent.objects.create(user=user, code=code, ip=ip, actor=actor, actor_user=actor_user)


# --- Access tokens -------------------------------------------------------------------------------


def access_token_create(
    *, user: User, ip: str | None = None, user_agent: str = "", type: str = AccessToken.Type.API
) -> tuple[AccessToken, str]:
    """A new bearer token; the secret is returned once and only its hash is stored."""
    raw = _random_string(TOKEN_ALPHABET, TOKEN_LENGTH)
    now = timezone.now()
    token = AccessToken.objects.create(
        user=user,
        token_hash=_keyed_hash(raw),
        prefix=raw[:14],
        type=type,
        ip=ip,
        user_agent=user_agent[:255],
        created_at=now,
        expires_at=now + timedelta(seconds=settings.ACCESS_TOKEN_TTL_SECONDS),
    )
    return token, raw


def access_token_authenticate(*, raw_token: str) -> AccessToken | None:
    """The live token matching a presented secret, or None. lastUsedAt is written at most once a minute."""
    if len(raw_token) != TOKEN_LENGTH or not raw_token.isalnum():
        return None
    now = timezone.now()
    token = access_token_live(token_hash=_keyed_hash(raw_token), now=now)
    if token is None or token.user.closed_at is not None:
        return None
    resolution = timedelta(seconds=settings.ACCESS_TOKEN_LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _revoke_tokens(*, user: User, keep: AccessToken | None = None) -> int:
    tokens = AccessToken.objects.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    return tokens.update(revoked_at=timezone.now())


@transaction.atomic
def access_token_invalidate(*, user: User, token_reference: str, ip: str | None) -> AccessToken:
    """Revoke one of the user's live tokens, named as the token listing shows it (masked) or in full."""
    reference = (token_reference or "").strip()
    token = None
    if len(reference) >= 14:
        candidates = AccessToken.objects.select_for_update().filter(
            user=user, prefix=reference[:14], revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        for candidate in candidates:
            if reference in (candidate.masked, candidate.prefix) or hmac.compare_digest(
                candidate.token_hash, _keyed_hash(reference)
            ):
                token = candidate
                break
    if token is None:
        raise exc.TokenNotOwned()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    security_event_record(user=user, code=SecurityEvent.Code.TOKEN_INVALIDATED, ip=ip)
    return token


@transaction.atomic
def user_logout(*, user: User, token: AccessToken | None, ip: str | None) -> None:
    """End an API token (`token`) or, with token=None, record the end of a web session (the portal)."""
    if token is not None:
        AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    security_event_record(user=user, code=SecurityEvent.Code.LOGOUT, ip=ip)


# --- Sign-in --------------------------------------------------------------------------------------


def _login_limited(*, email: str, ip: str | None, increment: bool) -> bool:
    """Failed sign-ins counted per account and per IP (django-ratelimit, in the shared cache).

    With increment=False it asks whether the allowance of failures is spent; with True it counts one."""
    locked = False
    for group, key, rate in (
        ("login-account", email, settings.LOGIN_RATE_PER_ACCOUNT),
        ("login-ip", ip or "unknown", settings.LOGIN_RATE_PER_IP),
    ):
        usage = get_usage(None, group=group, key=lambda _g, _r, key=key: key, rate=rate, increment=increment)
        locked = locked or (usage is not None and usage["count"] >= usage["limit"])
    return locked


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip(), closed_at__isnull=True).first()


def user_credentials_check(*, email: str, password: str, ip: str | None) -> User:
    """The account owning email and password, under the brute-force limits every sign-in shares (API tokens
    and portal sessions): a lockout refuses even the right password; a wrong one counts a failure."""
    email = email.strip().lower()
    if _login_limited(email=email, ip=ip, increment=False):
        raise exc.TooManyLoginAttempts()
    user = user_find_by_email(email)
    if user is None:
        make_password(password)  # same work as a real check, so timing does not reveal unknown emails
        _login_limited(email=email, ip=ip, increment=True)
        raise exc.WrongPassword()
    if not user.check_password(password):
        _login_limited(email=email, ip=ip, increment=True)
        security_event_record(user=user, code=SecurityEvent.Code.LOGIN_FAILED, ip=ip)
        raise exc.WrongPassword()
    return user


def user_authenticate(*, email: str, password: str, ip: str | None, user_agent: str = "") -> tuple[AccessToken, str]:
    """Email and password → a new access token. Unverified accounts get a token too (their requests then
    answer 403 "Your account is inactive." until they verify), so a client can tell them apart."""
    user = user_credentials_check(email=email, password=password, ip=ip)
    with transaction.atomic():
        token, raw = access_token_create(user=user, ip=ip, user_agent=user_agent)
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        security_event_record(user=user, code=SecurityEvent.Code.LOGIN_SUCCESS, ip=ip)
    return token, raw


def user_session_login(*, email: str, password: str, ip: str | None) -> User:
    """Email and password → the user a web session may be opened for (the portal then calls Django's login()).

    Same checks and limits as `user_authenticate`; unlike a token, a session is only for an active account
    (verified, not deactivated by staff), so an inactive one is refused here after the password matched."""
    user = user_credentials_check(email=email, password=password, ip=ip)
    if not user.is_active:
        raise errors.AccountInactive()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        security_event_record(user=user, code=SecurityEvent.Code.LOGIN_SUCCESS, ip=ip)
    return user


# --- One-time codes -------------------------------------------------------------------------------


def _code_issue(*, user: User, purpose: str, ttl: timedelta, length: int) -> str:
    code = _random_string(CODE_ALPHABET, length)
    # A new code replaces the previous ones of the same purpose.
    OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
    OneTimeCode.objects.create(user=user, purpose=purpose, code_hash=_keyed_hash(code), expires_at=timezone.now() + ttl)
    return code


def _code_consume(*, user: User, purpose: str, code: str) -> bool:
    """True when `code` is the user's live code; a wrong guess spends one of its limited attempts.

    Attempts are counted outside the caller's transaction so a refused guess is never rolled back."""
    live = (
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if live is None or live.attempts >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
        return False
    if not hmac.compare_digest(live.code_hash, _keyed_hash((code or "").strip().upper())):
        OneTimeCode.objects.filter(pk=live.pk).update(attempts=F("attempts") + 1)
        return False
    return OneTimeCode.objects.filter(pk=live.pk, used_at__isnull=True).update(used_at=timezone.now()) == 1


def _mail_limited_ip(*, ip: str | None) -> bool:
    return is_ratelimited(
        None, group="mail-ip", key=lambda _g, _r: ip or "unknown", rate=settings.MAIL_RATE_PER_IP, increment=True
    )


def _mail_limited_account(*, key: str) -> bool:
    return is_ratelimited(None, group="mail-account", key=lambda _g, _r: key, rate="5/h", increment=True)


def _mail_limited(*, key: str, ip: str | None) -> bool:
    return _mail_limited_ip(ip=ip) or _mail_limited_account(key=key)


def _send_email_verification(user: User) -> None:
    code = _code_issue(user=user, purpose=OneTimeCode.Purpose.EMAIL_VERIFY, ttl=settings.EMAIL_CODE_TTL, length=6)
    link = f"{settings.SITE_URL}/verify-email?{urlencode({'email': user.email, 'code': code})}"
    email_enqueue(
        to=user.email,
        template="email_verify",
        language=user.language,
        context={
            "first_name": user.first_name,
            "code": code,
            "link": link,
            "ttl_hours": int(settings.EMAIL_CODE_TTL.total_seconds() // 3600),
        },
    )


# --- Registration and email verification -------------------------------------------------------


def user_register(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    date_of_birth,
    phone: str = "",
    address: dict | None = None,
    platform=None,
    platform_data: dict | None = None,
    source: str = User.Source.API,
    language: str = "en",
    ip: str | None = None,
) -> User:
    """Create an inactive account, link it to its platform (the house one by default), mail a code."""
    address = address or {}
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise exc.field_error("email", "The email has already been taken.")
    if _mail_limited_ip(ip=ip):  # before the insert: a flood from one address costs no password hashing
        raise exc.MailRateLimited()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password or None,
                first_name=first_name,
                last_name=last_name,
                date_of_birth=date_of_birth,
                phone=phone or "",
                country=address.get("country") or "",
                city=address.get("city") or "",
                zip_code=address.get("zip") or "",
                street=address.get("street") or "",
                source=source,
                language=language,
            )
            # The address's own allowance is counted once the unique email is ours: a concurrent registration of
            # the same email waits on the insert and answers "already taken", never 429. Limited: rolled back.
            if _mail_limited_account(key=f"register:{email}"):  # every registration mails a code
                raise exc.MailRateLimited()
            platform_user_link(user=user, platform=platform, external=platform_data)
            _send_email_verification(user)
    except IntegrityError as error:  # a concurrent registration won the unique email
        raise exc.field_error("email", "The email has already been taken.") from error
    return user


def _user_by_id_or_email(*, user_id=None, email: str | None = None) -> User:
    if user_id:
        user = User.objects.filter(pk=user_id, closed_at__isnull=True).first()
        if user is None:
            raise exc.field_error("id", "The selected id is invalid.")
        return user
    user = user_find_by_email(email or "")
    if user is None:
        raise exc.field_error("email", "The selected email is invalid.")
    return user


def user_email_verify(*, code: str, user_id=None, email: str | None = None, ip: str | None = None) -> User:
    user = _user_by_id_or_email(user_id=user_id, email=email)
    if user.email_verified_at is not None:
        raise exc.AccountAlreadyActive()
    if not _code_consume(user=user, purpose=OneTimeCode.Purpose.EMAIL_VERIFY, code=code):
        raise exc.field_error("code", "The selected Code is invalid.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now(), is_active=True)
        security_event_record(user=user, code=SecurityEvent.Code.EMAIL_VERIFIED, ip=ip)
    user.refresh_from_db()
    return user


@transaction.atomic
def user_email_reverify(*, user_id=None, email: str | None = None, ip: str | None = None) -> None:
    """Send a new verification code; one resend a day besides the code sent at registration."""
    user = _user_by_id_or_email(user_id=user_id, email=email)
    User.objects.select_for_update().get(pk=user.pk)  # one resend at a time per user
    if user.email_verified_at is not None:
        raise exc.AccountAlreadyActive()
    since = timezone.now() - timedelta(days=1)
    recent = OneTimeCode.objects.filter(user=user, purpose=OneTimeCode.Purpose.EMAIL_VERIFY, created_at__gte=since)
    if recent.count() >= 2 or (recent.exists() and user.created_at < since):
        raise exc.VerificationResentToday()
    _send_email_verification(user)


# --- Passwords -------------------------------------------------------------------------------------


def password_forgot(*, email: str, as_link: bool, ip: str | None) -> None:
    user = user_find_by_email(email)
    if user is None:
        raise exc.field_error("email", "The email was not found.")
    if _mail_limited(key=f"reset:{user.pk}", ip=ip):
        raise exc.MailRateLimited()
    with transaction.atomic():
        token = _code_issue(
            user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, ttl=settings.PASSWORD_RESET_TTL, length=10
        )
        link = f"{settings.SITE_URL}/reset-password?{urlencode({'email': user.email, 'token': token})}"
        email_enqueue(
            to=user.email,
            template="password_reset",
            language=user.language,
            context={
                "first_name": user.first_name,
                "token": token,
                "link": link if as_link else None,
                "ttl_minutes": int(settings.PASSWORD_RESET_TTL.total_seconds() // 60),
            },
        )
        security_event_record(user=user, code=SecurityEvent.Code.PASSWORD_RESET_REQUESTED, ip=ip)


def password_reset(*, email: str, token: str, password: str, ip: str | None) -> User:
    """Set a new password with an emailed token; every existing access token is revoked."""
    user = user_find_by_email(email)
    if user is None or not _code_consume(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, code=token):
        raise exc.field_error("token", "The token is invalid.")
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _revoke_tokens(user=user)
        security_event_record(user=user, code=SecurityEvent.Code.PASSWORD_RESET, ip=ip)
    return user


def password_change(
    *, user: User, current_password: str, new_password: str, current_token: AccessToken | None, ip: str | None
) -> None:
    """Change the password; every other session's token is revoked, the caller's stays valid."""
    if not user.password_set:
        raise exc.PasswordCannotBeChanged()
    if _login_limited(email=user.email, ip=ip, increment=False):
        raise exc.TooManyLoginAttempts()
    if not user.check_password(current_password):
        _login_limited(email=user.email, ip=ip, increment=True)
        raise exc.CurrentPasswordIncorrect()
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _revoke_tokens(user=user, keep=current_token)
        security_event_record(user=user, code=SecurityEvent.Code.PASSWORD_CHANGED, ip=ip)


# --- Account closing ------------------------------------------------------------------------------


@transaction.atomic
def account_close_initiate(*, user: User, password: str, ip: str | None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.self_deleted_at is not None:
        raise exc.SelfDeleteAlreadyScheduled()
    now = timezone.now()
    if user.self_delete_requested_at and now - user.self_delete_requested_at < timedelta(days=1):
        raise exc.SelfDeleteRequestedToday()
    if not user.check_password(password):
        raise exc.field_error("password", "The password is incorrect.")
    if user_holds_balance(user=user):
        raise exc.SelfDeleteBalanceHeld()
    user.self_deleted_at = now
    user.self_delete_requested_at = now
    user.save(update_fields=["self_deleted_at", "self_delete_requested_at"])
    security_event_record(user=user, code=SecurityEvent.Code.SELF_DELETE_INITIATED, ip=ip)
    email_enqueue(
        to=user.email,
        template="account_close_initiated",
        language=user.language,
        context={
            "first_name": user.first_name,
            "close_on": (now + settings.SELF_DELETE_GRACE_PERIOD).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return user


@transaction.atomic
def account_close_abort(*, user: User, ip: str | None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.self_deleted_at is None:
        raise exc.SelfDeleteNotScheduled()
    user.self_deleted_at = None
    user.save(update_fields=["self_deleted_at"])
    security_event_record(user=user, code=SecurityEvent.Code.SELF_DELETE_ABORTED, ip=ip)
    return user


@transaction.atomic
def user_options_update(*, user: User, language: str | None = None, theme: str | None = None) -> User:
    """Change the user's `options`: the language of the portal, mails and notifications, and the portal theme.
    A value left out stays as it is; one that is not offered is refused with the API's wording."""
    field_errors = {}
    if language is not None and language not in User.Language.values:
        field_errors["language"] = ["The selected language is invalid."]
    if theme is not None and theme not in User.Theme.values:
        field_errors["theme"] = ["The selected theme is invalid."]
    if field_errors:
        raise errors.InvalidInput(errors=field_errors)
    changes = {name: value for name, value in (("language", language), ("theme", theme)) if value is not None}
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for name, value in changes.items():
            setattr(user, name, value)
    return user


def account_close_due(*, now=None) -> int:
    """Close every account whose grace period has ended: anonymise personal data, keep financial records.

    Run by Celery beat. An account that holds a balance again is left scheduled (and logged) for staff."""
    now = now or timezone.now()
    closed = 0
    due = User.objects.filter(self_deleted_at__lte=now - settings.SELF_DELETE_GRACE_PERIOD, closed_at__isnull=True)
    for user_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user_id)
            if user.self_deleted_at is None or user.closed_at is not None or user_holds_balance(user=user):
                continue
            email, language = user.email, user.language
            user.email = f"closed+{user.pk}@closed.invalid"
            user.first_name = user.last_name = user.phone = user.city = user.street = user.zip_code = ""
            user.country = ""
            user.date_of_birth = None
            user.is_active = False
            user.closed_at = now
            user.set_unusable_password()
            user.save()
            _revoke_tokens(user=user)
            security_event_record(
                user=user, code=SecurityEvent.Code.ACCOUNT_CLOSED, ip=None, actor=SecurityEvent.Actor.SYSTEM
            )
            email_enqueue(to=email, template="account_closed", language=language)
            closed += 1
    return closed


def access_token_purge_expired(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Drop tokens that expired or were revoked long ago (the security log keeps the history)."""
    cutoff = timezone.now() - older_than
    deleted, _ = AccessToken.objects.filter(expires_at__lt=cutoff).delete()
    revoked, _ = AccessToken.objects.filter(revoked_at__lt=cutoff).delete()
    return deleted + revoked


# --- Staff actions (admin) -------------------------------------------------------------------------


@transaction.atomic
def user_set_active(*, user: User, active: bool, staff: User) -> None:
    """Staff (de)activate an account; deactivating revokes its tokens."""
    if user.is_active == active:
        return
    if active and user.email_verified_at is None:
        raise errors.StateConflict("The email address of this account is not verified.")
    User.objects.filter(pk=user.pk).update(is_active=active)
    if not active:
        _revoke_tokens(user=user)
    security_event_record(
        user=user,
        code=SecurityEvent.Code.ACCOUNT_ACTIVATED if active else SecurityEvent.Code.ACCOUNT_DEACTIVATED,
        ip=None,
        actor=SecurityEvent.Actor.STAFF,
        actor_user=staff,
    )
