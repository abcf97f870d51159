"""Writes of the checkout widget (docs/decisions.md, Checkout).

Entry: `checkout_open` verifies the platform's token with the one platform JWT verification
(`platforms.auth.platform_jwt_decode`), reads either payload shape, and creates or resumes the checkout of
(platform, request_id) for the user it finds or creates. Steps: account-details → kyc (only when the amount
needs a higher level, asked of `kyc.services.kyc_level_required`) → payment (a new quote per attempt, through
`trading.orders.quote_create` / `quote_confirm`) → thank-you. Every status change goes through
`checkout_transition`, which records it, sends the platform an instant event notification and calls the
checkout's `ping_url` after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ccpro import errors

from . import auth, ien
from .checkout_exceptions import (
    CheckoutClosed,
    CheckoutCodeInvalid,
    CheckoutExpired,
    CheckoutLinkInvalid,
    CheckoutPaymentTypeOther,
    CheckoutStepNotOpen,
    CheckoutTransitionNotAllowed,
)
from .checkout_models import Checkout, CheckoutStatusChange
from .exceptions import JwtExpired
from .models import IenCall, Platform, PlatformUserLink

log = logging.getLogger(__name__)

S = Checkout.Status
Step = Checkout.Step

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.PROCESSING, S.EXPIRED}),
    S.PROCESSING: frozenset({S.FINISHED, S.EXPIRED}),
    S.FINISHED: frozenset(),
    S.EXPIRED: frozenset(),
}

OPERATIONS = {
    "buy": "buy_with_fiat",
    "buy_with_fiat": "buy_with_fiat",
    "sell": "sell_to_fiat",
    "sell_to_fiat": "sell_to_fiat",
}
SECOND_ORDER_TYPES = {"withdraw", "withdrawIco"}
MAX_ATTEMPTS = 10
IDENTITY_CODE_TTL = 3600
IDENTITY_CODE_MAX_TRIES = 5
IDENTITY_CODE_RESEND_SECONDS = 60
IDENTITY_CODES_PER_HOUR = 5  # per checkout: with 5 tries each, at most 25 guesses of a 6-digit code an hour
EXPIRY_BATCH = 1000


# --- The token ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutRequest:
    """A checkout token's payload, read from either shape (spec README)."""

    request_id: str
    external_user_id: str
    username: str
    email: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    phone: str
    address: dict
    wallet: str
    operation: str
    type: str
    symbol: str
    fiat: str
    amount: Decimal
    second_order_type: str
    payment_type: str
    attempts: int
    ping_url: str
    redirect_url: str
    ip: str | None
    expire: int


def _text(value, limit: int = 191) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError
    return text


def _url(value) -> str:
    text = _text(value, 500)
    if text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError
    return text


def _field_invalid(field: str) -> list[str]:
    return [_("The %(field)s field is invalid.") % {"field": field}]


def _selected_invalid(field: str) -> list[str]:
    return [_("The selected %(field)s is invalid.") % {"field": field}]


def checkout_request_read(payload: dict, *, now: int | None = None) -> CheckoutRequest:
    """The payload's fields, checked; CheckoutLinkInvalid with the offending field otherwise."""
    from django.core.validators import validate_email, validate_ipv46_address

    field = "payload"
    try:
        field = "expire"
        expire = auth.expire_check(payload, now=now)
        user = payload.get("user") or {}
        link = payload.get("link") or {}
        payment = payload.get("payment") or {}
        if not all(isinstance(part, dict) for part in (user, link, payment)):
            raise ValueError
        field = "request_id"
        request_id = _text(payment.get("request_id") or payload.get("request_id"))
        if not request_id:
            raise ValueError
        field = "email"
        email = _text(user.get("email") or link.get("email")).lower()
        validate_email(email)
        field = "user"
        external_user_id = _text(link.get("id") or user.get("id"))
        dob = _text(user.get("dob"), 10)
        date_of_birth = date.fromisoformat(dob) if dob else None
        address = {key: _text(user.get(key)) for key in ("country", "city", "street", "zip")}
        field = "payment.operation"
        operation = OPERATIONS[_text(payment.get("operation") or "buy")]
        field = "payment.symbol"
        symbol = _text(payment.get("symbol"), 16).upper()
        if not symbol:
            raise ValueError
        field = "payment.fiat"
        fiat = _text(payment.get("fiat") or payment.get("secondSymbol"), 16).upper()
        if not fiat:
            raise ValueError
        field = "payment.amount"
        amount = Decimal(_text(payment.get("amount"), 40))
        if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -18:
            raise ValueError
        field = "payment.method"
        payment_type = _text(payment.get("method") or "bank")
        if payment_type not in ("bank", "card"):
            raise ValueError
        field = "payment.attempts"
        attempts = payment.get("attempts", 3)
        attempts = int(attempts) if isinstance(attempts, int | str) and not isinstance(attempts, bool) else 0
        if not 1 <= attempts <= MAX_ATTEMPTS:
            raise ValueError
        field = "payment.second_order_type"
        second = _text(payment.get("second_order_type"))
        if second and second not in SECOND_ORDER_TYPES:
            raise ValueError
        field = "payment.type"
        kind = _text(payment.get("type"), 5)
        if kind and kind not in ("coin", "token"):
            raise ValueError
        field = "ping_url"
        ping_url = _url(payload.get("ping_url"))
        field = "redirect_url"
        redirect_url = _url(payload.get("redirect_url"))
        field = "ip"
        ip = _text(payload.get("ip"), 45) or None
        if ip:
            validate_ipv46_address(ip)
        return CheckoutRequest(
            request_id=request_id,
            external_user_id=external_user_id,
            username=_text(link.get("username")),
            email=email,
            first_name=_text(user.get("first_name")),
            last_name=_text(user.get("last_name")),
            date_of_birth=date_of_birth,
            phone=_text(user.get("phone"), 20),
            address=address,
            wallet=_text(user.get("wallet"), 128),
            operation=operation,
            type=kind,
            symbol=symbol,
            fiat=fiat,
            amount=amount,
            second_order_type=second,
            payment_type=payment_type,
            attempts=attempts,
            ping_url=ping_url,
            redirect_url=redirect_url,
            ip=ip,
            expire=expire,
        )
    except auth.ExpireInPast as exc:
        raise CheckoutExpired() from exc
    except (ValueError, KeyError, TypeError, InvalidOperation, errors.DomainError) as exc:
        raise CheckoutLinkInvalid(errors={field: _field_invalid(field)}) from exc
    except Exception as exc:  # django's ValidationError (email, ip)
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise CheckoutLinkInvalid(errors={field: _field_invalid(field)}) from exc
        raise


def checkout_token_verify(*, platform_code: str, token: str) -> tuple[Platform, CheckoutRequest, dict]:
    """The active, checkout-enabled platform of `platform_code` and its verified token's request."""
    platform = Platform.objects.filter(code__iexact=(platform_code or "").strip()[:32], active=True).first()
    if platform is None:
        raise CheckoutLinkInvalid(errors={"platform": [_("The selected platform is invalid.")]})
    if not platform.checkout_enabled:
        raise CheckoutLinkInvalid(errors={"platform": [_("The platform does not offer the checkout.")]})
    try:
        payload = auth.platform_jwt_decode(platform=platform, token=(token or "").strip())
    except JwtExpired as exc:
        raise CheckoutExpired() from exc
    except errors.Unauthenticated as exc:
        raise CheckoutLinkInvalid(errors={"token": [_("The token is not signed by the platform.")]}) from exc
    return platform, checkout_request_read(payload), payload


# --- Users ----------------------------------------------------------------------------------------


def _user_for(*, platform: Platform, request: CheckoutRequest, language: str, ip: str | None):
    """(user, already confirmed): the platform's linked user (by its id on the platform, else by email), an
    existing CCPro user by email (linked now, but they must prove the email first), or a new account."""
    from accounts.models import User
    from accounts.services import user_register

    from .services import platform_user_link

    links = PlatformUserLink.objects.filter(platform=platform, active=True).select_related("user")
    link = None
    if request.external_user_id:
        link = links.filter(external_user_id=request.external_user_id).first()
    if link is None:
        link = links.filter(user__email__iexact=request.email).first()
    if link is not None:
        if link.user.email.lower() != request.email:
            raise CheckoutLinkInvalid(errors={"email": [_("The email does not match the platform's user.")]})
        return link.user, link.user.is_active
    external = {"userId": request.external_user_id, "email": request.email, "username": request.username}
    existing = User.objects.filter(email__iexact=request.email).first()
    if existing is not None:
        if existing.closed_at is not None:
            raise CheckoutLinkInvalid(errors={"email": [_("The selected email is invalid.")]})
        platform_user_link(user=existing, platform=platform, external=external)
        return existing, False
    user = user_register(
        email=request.email,
        password=None,
        first_name=request.first_name,
        last_name=request.last_name,
        date_of_birth=request.date_of_birth,
        phone="",
        address=request.address,
        platform=platform,
        platform_data=external,
        source=User.Source.API,
        # The account's language (portal, mails): a widget-only language (de) is not one of the account's.
        language=language if language in User.Language.values else User.Language.EN,
        ip=ip,
    )
    return user, False


# --- Transitions ----------------------------------------------------------------------------------


def _announce(checkout: Checkout) -> None:
    """After a status change: the platform's instant event notification (outbox) and the checkout's ping."""
    from .checkout_selectors import checkout_body
    from .services import ien_emit

    ien_emit(
        platform=checkout.platform,
        event_type="checkout.status",
        stream=f"checkout:{checkout.pk}",
        obj_payload=checkout_body(checkout, variant="platform"),
    )
    if checkout.ping_url:
        from .checkout_tasks import checkout_ping_task

        checkout_id, status = str(checkout.pk), checkout.status
        transaction.on_commit(lambda: checkout_ping_task.delay(checkout_id=checkout_id, status=status), robust=True)


def _record(checkout: Checkout, *, from_status: str, reason: str) -> None:
    CheckoutStatusChange.objects.create(
        checkout=checkout, from_status=from_status, to_status=checkout.status, reason=reason[:500]
    )


@transaction.atomic
def checkout_transition(*, checkout_id, to_status: str, reason: str = "", step: str | None = None) -> Checkout:
    """The one way a checkout's status changes: locked, checked against ALLOWED_TRANSITIONS, recorded, announced."""
    checkout = Checkout.objects.select_for_update(of=("self",)).select_related("platform", "user").get(pk=checkout_id)
    if to_status not in ALLOWED_TRANSITIONS[checkout.status]:
        raise CheckoutTransitionNotAllowed(f"A {checkout.status} checkout cannot become {to_status}.")
    from_status = checkout.status
    checkout.status = to_status
    checkout.step = step or checkout.step
    checkout.updated_at = timezone.now()
    checkout.save(update_fields=["status", "step", "updated_at"])
    _record(checkout, from_status=from_status, reason=reason)
    _announce(checkout)
    return checkout


def _lock(checkout_id) -> Checkout:
    return Checkout.objects.select_for_update(of=("self",)).select_related("platform", "user").get(pk=checkout_id)


def checkout_account_check(*, user) -> None:
    """The API's rule (`ApiView.initial`): an inactive account acts on nothing — deactivated by staff, or closed
    (closing deactivates it). A new account not verified yet is inactive until its emailed code, which the
    account-details step takes, so it is not refused; an account whose closing is only scheduled (self-delete
    pending) is still active, as in the API and the portal."""
    if user.closed_at is not None or (not user.is_active and user.email_verified_at is not None):
        raise errors.AccountInactive()


def checkout_open_check(*, checkout: Checkout) -> None:
    """Refuse any action on a checkout that is not open, not in time (the beat sweep marks it expired a little
    later), or whose user's account is inactive."""
    if checkout.status == S.EXPIRED or (checkout.is_open and checkout.expired_at <= timezone.now()):
        raise CheckoutExpired()
    if checkout.status == S.FINISHED:
        raise CheckoutClosed()
    checkout_account_check(user=checkout.user)


def checkout_step_check(*, checkout: Checkout, step: str) -> None:
    """Refuse a step's action unless the checkout is open (`checkout_open_check`) and at that step. The actions
    check it again on the locked row."""
    checkout_open_check(checkout=checkout)
    if checkout.step != step:
        raise CheckoutStepNotOpen()


# --- Entry ------------------------------------------------------------------------------------------


def checkout_open(
    *, platform_code: str, token: str, language: str = "en", display: str = "light", url: str = "", ip=None
) -> Checkout:
    """Create the checkout of the token's (platform, request_id), or resume it when it exists (same user).
    `created_now` on the answer tells which: only the session that created a checkout for a user the platform
    vouches for (`identity_confirmed` from the start) holds its proof without a code."""
    platform, request, payload = checkout_token_verify(platform_code=platform_code, token=token)
    try:
        return _checkout_open(
            platform=platform, request=request, payload=payload, language=language, display=display, url=url, ip=ip
        )
    except (IntegrityError, errors.InvalidInput):
        # A concurrent first opening of the same request id (or the same new email) won: resume it.
        return _checkout_open(
            platform=platform, request=request, payload=payload, language=language, display=display, url=url, ip=ip
        )


def _request_lock(platform: Platform, request_id: str) -> None:
    """Serialize openings of one (platform, request id) until commit: concurrent first openings of a link then
    resume the winner's checkout instead of each registering the user (and spending its mail allowance).
    SQLite (the embedded database) serializes writers anyway."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"checkout:{platform.pk}:{request_id}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def _assets_check(request: CheckoutRequest) -> None:
    """The crypto asset and the fiat must be active assets of CCPro (the quote would refuse them later)."""
    from trading.models import Asset

    kinds = dict(
        Asset.objects.filter(symbol__in=[request.symbol, request.fiat], active=True).values_list("symbol", "kind")
    )
    if kinds.get(request.symbol) not in (Asset.Kind.COIN, Asset.Kind.TOKEN):
        raise CheckoutLinkInvalid(errors={"payment.symbol": _selected_invalid("payment.symbol")})
    if kinds.get(request.fiat) != Asset.Kind.FIAT:
        raise CheckoutLinkInvalid(errors={"payment.fiat": _selected_invalid("payment.fiat")})


@transaction.atomic
def _checkout_open(*, platform, request: CheckoutRequest, payload, language, display, url, ip) -> Checkout:
    _request_lock(platform, request.request_id)
    existing = (
        Checkout.objects.select_for_update(of=("self",))
        .select_related("platform", "user")
        .filter(platform=platform, request_id=request.request_id)
        .first()
    )
    if existing is not None:
        if existing.user.email.lower() != request.email:
            raise CheckoutLinkInvalid(errors={"request_id": [_("The request id belongs to another user's checkout.")]})
        if existing.status == S.EXPIRED or existing.expired_at <= timezone.now():
            raise CheckoutExpired()
        if existing.language != language or existing.display != display:
            existing.language, existing.display = language, display
            existing.save(update_fields=["language", "display"])
        existing.created_now = False
        return existing
    _assets_check(request)
    user, confirmed = _user_for(platform=platform, request=request, language=language, ip=ip)
    if not user.is_active and user.email_verified_at is not None:
        raise CheckoutLinkInvalid(errors={"email": [_("Your account is inactive.")]})
    with transaction.atomic():
        checkout = Checkout.objects.create(
            platform=platform,
            user=user,
            request_id=request.request_id,
            attempts_limit=request.attempts,
            operation=request.operation,
            type=request.type,
            symbol=request.symbol,
            fiat=request.fiat,
            amount=request.amount,
            second_order_type=request.second_order_type,
            wallet=request.wallet,
            payment_type=request.payment_type,
            ip=request.ip,  # the buyer's address as the partner saw it (payload `ip`), else null
            url=url[:4000],
            redirect_url=request.redirect_url,
            ping_url=request.ping_url,
            language=language,
            display=display,
            identity_confirmed=confirmed,
            payload=payload,
            expired_at=datetime.fromtimestamp(request.expire, tz=UTC),
        )
    _record(checkout, from_status="", reason="opened")
    _announce(checkout)
    if not confirmed and user.is_active:
        _identity_code_send(checkout)
    checkout.created_now = True
    return checkout


# --- Step 1: account details ----------------------------------------------------------------------


def _code_key(checkout: Checkout) -> str:
    return f"checkout:identity:{checkout.pk}"


def _code_hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"checkout:{code}".encode(), hashlib.sha256).hexdigest()


def _identity_code_send(checkout: Checkout) -> None:
    """Mail an existing CCPro user the code proving they own the email the platform sent (not for new accounts:
    their email verification code does that)."""
    code = "".join(secrets.choice("0123456789") for _digit in range(6))
    cache.set(_code_key(checkout), {"hash": _code_hash(code), "tries": 0}, IDENTITY_CODE_TTL)
    email = checkout.user.email
    # Worded now, in the widget's language (the request's), not when the mail leaves after commit.
    subject = _("Your CCPro checkout code")
    message = _(
        "%(platform)s asked CCPro to continue a payment with your account.\n"
        "Your checkout code is: %(code)s\nIt is valid for one hour. If this was not you, ignore this email."
    ) % {"platform": checkout.platform.name, "code": code}
    transaction.on_commit(
        lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=[email]),
        robust=True,
    )


def _identity_code_check(checkout: Checkout, code: str) -> bool:
    stored = cache.get(_code_key(checkout))
    if not stored or stored["tries"] >= IDENTITY_CODE_MAX_TRIES:
        return False
    if not hmac.compare_digest(stored["hash"], _code_hash(str(code or "").strip())):
        cache.set(_code_key(checkout), {**stored, "tries": stored["tries"] + 1}, IDENTITY_CODE_TTL)
        return False
    cache.delete(_code_key(checkout))
    return True


def checkout_code_send(*, checkout_id, again: bool = False) -> None:
    """Mail the code that proves, in one browser session, that its user owns the checkout's email (the entry
    link alone does not: docs/decisions.md, Checkout). A new account not verified yet proves it with its email
    verification code instead (sent again by `user_email_reverify`, rate limited there). Opening the page does
    not replace a code still valid; "Send the code again" (`again`) does, at most once a minute, and no more than
    IDENTITY_CODES_PER_HOUR codes leave an hour (429 then), so whoever holds the link can neither flood the
    user's mailbox nor guess the code by asking for new ones."""
    from accounts.services import user_email_reverify

    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_open_check(checkout=checkout)
        if checkout.user.email_verified_at is None:
            if again:
                user_email_reverify(user_id=checkout.user.pk)
            return
        if again:
            if not cache.add(f"{_code_key(checkout)}:sent", True, IDENTITY_CODE_RESEND_SECONDS):
                return
        elif cache.get(_code_key(checkout)) is not None:
            return
        counter = f"{_code_key(checkout)}:count"
        cache.add(counter, 0, 3600)
        if cache.incr(counter) > IDENTITY_CODES_PER_HOUR:
            if again:
                raise errors.RateLimited()
            return
        _identity_code_send(checkout)


def _code_prove(checkout: Checkout, code: str, ip) -> None:
    """The mailed code of the checkout's user: the new account's verification code, else the checkout code."""
    from accounts.services import user_email_verify

    if checkout.user.email_verified_at is None:
        try:
            user_email_verify(code=code, user_id=checkout.user.pk, ip=ip)  # counts attempts itself
        except errors.InvalidInput as exc:
            raise CheckoutCodeInvalid() from exc
    elif not _identity_code_check(checkout, code):
        raise CheckoutCodeInvalid()


def checkout_code_prove(*, checkout_id, code: str, ip=None) -> Checkout:
    """A browser session that resumed a checkout past its account details proves the email with the mailed code
    before it is shown or does anything more; the caller then remembers the proof in that session."""
    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_open_check(checkout=checkout)
    _code_prove(checkout, code, ip)
    return checkout


def checkout_details_submit(
    *, checkout_id, first_name: str, last_name: str, date_of_birth, code: str = "", proven: bool = False, ip=None
) -> Checkout:
    """Account details: the user confirms their name and birth date, and proves the email with the mailed code
    (the new account's verification code, or the checkout code) unless this browser session already holds the
    proof (`proven`: it opened the checkout for a user the platform vouches for, or entered the code). Then on
    to KYC/payment."""
    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_step_check(checkout=checkout, step=Step.ACCOUNT_DETAILS)
    if not proven:
        _code_prove(checkout, code, ip)
    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_step_check(checkout=checkout, step=Step.ACCOUNT_DETAILS)
        user = checkout.user
        user.refresh_from_db()
        user.first_name, user.last_name, user.date_of_birth = first_name, last_name, date_of_birth
        user.save(update_fields=["first_name", "last_name", "date_of_birth"])
        checkout.identity_confirmed = True
        checkout.save(update_fields=["identity_confirmed"])
        next_step = Step.PAYMENT if kyc_check(checkout=checkout).allowed else Step.KYC
        return checkout_transition(checkout_id=checkout.pk, to_status=S.PROCESSING, reason="details", step=next_step)


# --- Step 2: KYC ------------------------------------------------------------------------------------


def checkout_value(checkout: Checkout) -> Decimal:
    """What the checkout is worth in its fiat, at the current rates (0 when a rate is missing)."""
    from trading.exceptions import RateUnavailable
    from trading.selectors import rate_price

    try:
        price = rate_price(checkout.symbol, max_age_seconds=None)
        fiat = rate_price(checkout.fiat, max_age_seconds=None)
    except RateUnavailable:
        return Decimal(0)
    return (checkout.amount * price / fiat).quantize(Decimal("0.01")) if fiat else Decimal(0)


def kyc_check(*, checkout: Checkout):
    """The KYC service's answer for this checkout's operation and value (LevelCheck)."""
    from kyc.services import kyc_level_required

    return kyc_level_required(
        user=checkout.user, operation=checkout.operation, amount=checkout_value(checkout), fiat=checkout.fiat
    )


@transaction.atomic
def checkout_kyc_continue(*, checkout_id) -> Checkout:
    """Move on to the payment once the user's KYC level allows the amount; stays on kyc otherwise."""
    checkout = _lock(checkout_id)
    checkout_step_check(checkout=checkout, step=Step.KYC)
    if kyc_check(checkout=checkout).allowed:
        checkout.step = Step.PAYMENT
        checkout.updated_at = timezone.now()
        checkout.save(update_fields=["step", "updated_at"])
    return checkout


def checkout_phone_add(*, checkout_id, phone: str) -> None:
    from kyc.services import phone_add

    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_step_check(checkout=checkout, step=Step.KYC)
    phone_add(user=checkout.user, phone=phone)


def checkout_phone_verify(*, checkout_id, code: str) -> Checkout:
    from kyc.services import phone_verify

    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_step_check(checkout=checkout, step=Step.KYC)
    phone_verify(user=checkout.user, code=code)
    return checkout_kyc_continue(checkout_id=checkout_id)


# --- Step 3: quote and payment -------------------------------------------------------------------


def checkout_quote_new(*, checkout_id, payment_method_id: str):
    """A new quote for the checkout (one attempt of attemptsQuote), with one of the user's confirmed banks or
    cards: every quote is an attempt to pay, and an order needs one. With no attempt left the checkout expires
    and None is returned."""
    from trading.models import Asset
    from trading.orders import quote_create

    from .checkout_selectors import checkout_payment_methods

    with transaction.atomic():
        checkout = _lock(checkout_id)
        checkout_step_check(checkout=checkout, step=Step.PAYMENT)
        if not payment_method_id:
            raise errors.InvalidInput(errors={"payment_method": [_("The payment method field is required.")]})
        if str(payment_method_id) not in {str(m.pk) for m in checkout_payment_methods(checkout=checkout)}:
            raise errors.InvalidInput(errors={"payment_method": [_("The selected payment method is invalid.")]})
        if checkout.attempts_count >= checkout.attempts_limit:
            checkout_transition(checkout_id=checkout.pk, to_status=S.EXPIRED, reason="quote attempts used up")
            return None
        kind = checkout.type or Asset.objects.filter(symbol=checkout.symbol).values_list("kind", flat=True).first()
        quote = quote_create(
            user=checkout.user,
            type=kind or "coin",
            order_type=checkout.operation,
            order_amount=format(checkout.amount.normalize(), "f"),
            order_symbol=checkout.symbol,
            payment_symbol=checkout.fiat,
            payment_method_id=payment_method_id,
            payment_type=checkout.payment_type,
            wallet=checkout.wallet or None if checkout.second_order_type else None,
            second_order_type=checkout.second_order_type or None,
        )
        checkout.attempts_count += 1
        checkout.quote = quote
        checkout.updated_at = timezone.now()
        checkout.save(update_fields=["attempts_count", "quote", "updated_at"])
        return quote


def _instrument_step(checkout_id, payment_type: str) -> Checkout:
    """The locked checkout, at its payment step and paid with `payment_type` (bank or card)."""
    checkout = _lock(checkout_id)
    checkout_step_check(checkout=checkout, step=Step.PAYMENT)
    if checkout.payment_type != payment_type:
        raise CheckoutPaymentTypeOther()
    return checkout


@transaction.atomic
def checkout_bank_add(*, checkout_id, bank_name: str, iban: str, swift: str):
    """A new bank account of the checkout's user, in the checkout's fiat, through the accounts service the API and
    the portal use: PENDING until staff confirm it; the payment step offers it once it is CONFIRMED."""
    from accounts.instruments import bank_create

    checkout = _instrument_step(checkout_id, "bank")
    return bank_create(user=checkout.user, bank_name=bank_name, iban=iban, swift=swift, currency=checkout.fiat)


@transaction.atomic
def checkout_card_add(*, checkout_id, **card):
    """A new card of the checkout's user (alias, holder, expiry, last four digits and the two images the API
    requires), through `accounts.instruments.card_create`: PENDING until staff confirm it."""
    from accounts.instruments import card_create

    checkout = _instrument_step(checkout_id, "card")
    return card_create(user=checkout.user, **card)


@transaction.atomic
def checkout_pay(*, checkout_id):
    """Confirm the checkout's current quote into its order; the checkout is finished (thank-you)."""
    from trading.orders import quote_confirm

    checkout = _lock(checkout_id)
    checkout_step_check(checkout=checkout, step=Step.PAYMENT)
    if checkout.quote_id is None:
        raise CheckoutStepNotOpen(_("Get a quote first."))
    order = quote_confirm(user=checkout.user, quote_id=checkout.quote_id)
    checkout.order = order
    checkout.save(update_fields=["order"])
    checkout_transition(
        checkout_id=checkout.pk, to_status=S.FINISHED, reason=f"order {order.public_id}", step=Step.THANK_YOU
    )
    return order


# --- Expiry ---------------------------------------------------------------------------------------


def checkout_expire_due(*, now=None, batch_size: int = EXPIRY_BATCH) -> int:
    """Expire the open checkouts whose `expiredAt` passed: one conditional UPDATE per batch of locked rows
    (skip_locked: a concurrent sweep or step takes others), each expired exactly once, recorded and announced."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                Checkout.objects.select_for_update(skip_locked=True)
                .filter(status__in=[S.CREATED, S.PROCESSING], expired_at__lte=now)
                .order_by("expired_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not due:
                return total
            previous = dict(Checkout.objects.filter(pk__in=due).values_list("pk", "status"))
            changed = Checkout.objects.filter(pk__in=due, status__in=[S.CREATED, S.PROCESSING]).update(
                status=S.EXPIRED, updated_at=now
            )
            CheckoutStatusChange.objects.bulk_create(
                CheckoutStatusChange(checkout_id=pk, from_status=previous[pk], to_status=S.EXPIRED, reason="expired")
                for pk in due
            )
            for checkout in Checkout.objects.filter(pk__in=due).select_related("platform", "user"):
                _announce(checkout)
            total += changed
        if len(due) < batch_size:
            return total


# --- ping_url ----------------------------------------------------------------------------------------


def checkout_ping(*, checkout_id, status: str) -> str:
    """POST the checkout (as the platform sees it) to its ping_url, signed as the platform's instant event
    notifications are, through the IEN client's SSRF guard (public hosts only, pinned address, no redirects,
    short timeout). The attempt is logged with the platform's calls. Returns `ok` (2xx), `refused` (the URL is not
    allowed: trying again would not help) or `failed`."""
    from .checkout_selectors import checkout_body

    checkout = Checkout.objects.select_related("platform", "user").filter(pk=checkout_id).first()
    if checkout is None or not checkout.ping_url:
        return "ok"
    platform = checkout.platform
    data = checkout_body(checkout, variant="platform")
    data["status"] = status  # the change this ping is about, even if a later one happened since
    event = SimpleNamespace(event_id=uuid.uuid4(), type="checkout.ping")
    body = json.dumps(
        {
            "id": str(event.event_id),
            "type": event.type,
            "platform": str(platform.pk),
            "createdAt": int(time.time()),
            "data": data,
        },
        separators=(",", ":"),
    ).encode()
    outcome = ien.Outcome(endpoint=checkout.ping_url, request=body.decode())
    started = time.monotonic()
    try:
        scheme, host, port, path, address = ien.target_resolve(checkout.ping_url)
        connection_class = ien._PinnedHTTPSConnection if scheme == "https" else ien._PinnedHTTPConnection
        connection = connection_class(host, port, address=address, timeout=settings.IEN_TIMEOUT_SECONDS)
        try:
            headers = ien.ien_headers(platform=platform, event=event, body=body)
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            outcome.status = response.status
            outcome.response = response.read(ien.RESPONSE_READ_LIMIT).decode("utf-8", "replace")[
                : ien.RESPONSE_LOG_LIMIT
            ]
        finally:
            connection.close()
        if not outcome.ok:
            outcome.error = f"HTTP {outcome.status}"
    except ien.IenUrlRefused as exc:
        outcome.error = f"refused: {exc}"
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    IenCall.objects.create(
        platform=platform,
        endpoint=outcome.endpoint[:255],
        verb="POST",
        request=outcome.request,
        status=str(outcome.status or ""),
        response=outcome.response,
        error=outcome.error[:255],
        duration_ms=outcome.duration_ms,
    )
    if not outcome.ok:
        log.warning("checkout %s ping to %s failed: %s", checkout.public_id, checkout.ping_url, outcome.error)
    if outcome.ok:
        return "ok"
    return "refused" if outcome.error.startswith("refused:") else "failed"
