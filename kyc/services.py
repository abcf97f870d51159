"""KYC writes: submissions by the user, decisions by compliance staff, phone codes, video calls, and the one
question quotes and orders ask (`kyc_level_required`).

Every status change goes through `_transition`, which refuses moves the workflow does not allow, records the
change in the append-only audit trail and recomputes the user's level. Submissions lock the user's row, so two
requests of one user never interleave.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_ratelimit.core import get_usage

from accounts.models import User
from ccpro import errors
from ccpro.uploads.models import StoredFile
from ccpro.uploads.services import stored_file_create
from platforms.services import ien_emit_for_user

from . import exceptions as exc
from . import levels as rules
from .models import (
    ItemKind,
    ItemStatus,
    KycAuditEntry,
    KycItem,
    KycState,
    KycSubmission,
    PhoneVerification,
    RejectReason,
    StaffAvailability,
    VideoCall,
)
from .selectors import kyc_summary, kyc_view, level_list, period_amounts, user_platform_id

log = logging.getLogger(__name__)

S = ItemStatus
# The review workflow: (from, to) moves allowed. ACCEPTED is final (an accepted step cannot be overwritten).
ALLOWED = {
    (S.NOT_COMPLETED, S.PENDING),  # submitted
    (S.PENDING, S.PENDING),  # submitted again before review: the newer submission replaces the older
    (S.REJECTED, S.PENDING),  # submitted again after a rejection
    (S.PENDING, S.ACCEPTED),  # staff accept (or the SMS code is right)
    (S.PENDING, S.REJECTED),  # staff reject
    (S.PENDING, S.NOT_COMPLETED),  # the user cancels a scheduled video call
}

STEP_LABELS = {
    "personal": "personal data",
    "address": "address",
    "phone": "phone number",
    "governmentIdFront": "government ID (front)",
    "governmentIdBack": "government ID (back)",
    "passport": "passport",
    "utilityBill": "utility bill",
    "selfieWithId": "selfie with ID",
    "extendedProofOfFunds": "proof of funds",
    "video": "video call",
    "enhancedDueDiligence": "enhanced due diligence",
}


def _snapshot(item: KycItem) -> dict:
    return {"status": item.status, "rejectReasons": item.reject_reasons, "data": item.data, "file": item.file_id}


def _audit(*, item: KycItem | None, user, kind: str, action: str, actor, before: dict, after: dict) -> None:
    KycAuditEntry.objects.create(
        user=user, item=item, kind=kind, action=action, actor=actor, before=before, after=after
    )


def _transition(item: KycItem, to: str, *, actor, action: str, reasons: dict | None = None, data=None, file=None):
    """Move `item` to `to` (refusing illegal moves), audit it and keep its fields consistent."""
    if (item.status, to) not in ALLOWED:
        raise exc.ItemTransitionRefused()
    before = _snapshot(item)
    now = timezone.now()
    item.status = to
    if to == S.PENDING:
        item.reject_reasons = {}
        item.submitted_at = now
        item.decided_at = item.decided_by = None
        if data is not None:
            item.data = data
        if file is not None:
            item.file = file
        KycSubmission.objects.create(item=item, data=item.data, file=item.file)
    elif to in (S.ACCEPTED, S.REJECTED):
        item.reject_reasons = reasons or {}
        item.decided_at = now
        item.decided_by = actor if actor is not None and actor.pk != item.user_id else None
    elif data is not None:
        item.data = data
    item.save()
    _audit(item=item, user=item.user, kind=item.kind, action=action, actor=actor, before=before, after=_snapshot(item))
    return item


def _lock_user(user) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _item(user, kind: str) -> KycItem:
    item, _ = KycItem.objects.select_for_update().get_or_create(user=user, kind=kind)
    item.user = user
    return item


def kyc_state_recompute(*, user) -> int:
    """Store the user's level as computed now (for staff filters); returns it. When the stored level changes,
    every partner platform the user is linked to gets a `kyc.level` event with the profile's `kyc` object (sent
    after the caller's transaction commits)."""
    level = kyc_view(user=user, with_reasons=False).level
    with transaction.atomic():
        state, created = KycState.objects.select_for_update().get_or_create(user=user, defaults={"level": level})
        previous = 0 if created else state.level
        state.level, state.updated_at = level, timezone.now()
        state.save(update_fields=["level", "updated_at"])
        if level != previous:
            ien_emit_for_user(
                user=user, event_type="kyc.level", stream=f"kyc:{user.pk}", obj_payload=kyc_summary(user=user)
            )
    return level


def _require_open(view, items, step: str) -> None:
    if not set(items) & view.open:
        raise exc.step_not_required(step)


# --- Submissions by the user -----------------------------------------------------------------------


@transaction.atomic
def personal_data_submit(*, user, first_name: str, last_name: str, date_of_birth) -> None:
    user = _lock_user(user)
    _require_open(kyc_view(user=user, with_reasons=False), {"personal"}, "personal")
    before = {"firstName": user.first_name, "lastName": user.last_name, "dateOfBirth": str(user.date_of_birth)}
    user.first_name, user.last_name, user.date_of_birth = first_name, last_name, date_of_birth
    user.save(update_fields=["first_name", "last_name", "date_of_birth"])
    data = {"firstName": first_name, "lastName": last_name, "dateOfBirth": str(date_of_birth), "previous": before}
    _transition(_item(user, ItemKind.PERSONAL), S.PENDING, actor=user, action="submitted", data=data)
    kyc_state_recompute(user=user)


def _uploads_today(user) -> int:
    since = timezone.now() - timedelta(days=1)
    return StoredFile.objects.filter(owner=user, purpose__startswith="kyc", created_at__gte=since).count()


def _store(*, user, upload, field: str, purpose: str, allow_pdf: bool) -> StoredFile:
    return stored_file_create(owner=user, upload=upload, field=field, purpose=f"kyc:{purpose}", allow_pdf=allow_pdf)


def _check_upload_allowance(user, count: int) -> None:
    if count and _uploads_today(user) + count > settings.KYC_UPLOADS_PER_DAY:
        raise exc.UploadLimitReached()


def _address_apply(user, *, country: str, city: str, zip_code: str, street: str) -> None:
    user.country, user.city, user.zip_code, user.street = country.upper(), city, zip_code, street
    user.save(update_fields=["country", "city", "zip_code", "street"])
    data = {"country": user.country, "city": city, "zip": zip_code, "street": street}
    _transition(_item(user, ItemKind.ADDRESS), S.PENDING, actor=user, action="submitted", data=data)


def _document_apply(user, *, kind: str, upload, field: str, allow_pdf: bool) -> KycItem:
    stored = _store(user=user, upload=upload, field=field, purpose=kind, allow_pdf=allow_pdf)
    if kind == ItemKind.EXTENDED_PROOF_OF_FUNDS:
        item = KycItem.objects.create(user=user, kind=kind)
        item.user = user
    else:
        item = _item(user, kind)
    return _transition(item, S.PENDING, actor=user, action="submitted", data={"fileId": stored.pk}, file=stored)


@transaction.atomic
def address_submit(*, user, country: str, city: str, zip_code: str, street: str, utility_bill=None) -> None:
    user = _lock_user(user)
    view = kyc_view(user=user, with_reasons=False)
    _require_open(view, {"address"}, "address")
    if utility_bill is not None:
        _require_open(view, {"utilityBill"}, "documents")
        _check_upload_allowance(user, 1)
    _address_apply(user, country=country, city=city, zip_code=zip_code, street=street)
    if utility_bill is not None:
        _document_apply(user, kind="utilityBill", upload=utility_bill, field="utilityBill", allow_pdf=True)
    kyc_state_recompute(user=user)


@transaction.atomic
def document_submit(*, user, kind: str | None, upload) -> None:
    """One document; `extendedProofOfFunds` adds to the user's list of proofs. Without a type it is the next
    document the user still needs, in the reference's order."""
    user = _lock_user(user)
    view = kyc_view(user=user, with_reasons=False)
    if kind is None:
        order = [*rules.DOCUMENT_ITEMS_ORDER, "extendedProofOfFunds"]
        kind = next((k for k in order if k in view.open), order[0])
    _require_open(view, {kind}, "documents")
    _check_upload_allowance(user, 1)
    _document_apply(user, kind=kind, upload=upload, field="file", allow_pdf=True)
    kyc_state_recompute(user=user)


def _edd_apply(user, *, answers: dict, source_file, origin_file, prefix: str = "") -> None:
    data = {"transactionsPurposeOther": "", "fundsSourceOther": "", "fundsOriginOther": "", **answers}
    for name, upload in (("fundsSourceFile", source_file), ("fundsOriginFile", origin_file)):
        if upload is not None:
            data[name] = _store(user=user, upload=upload, field=prefix + name, purpose="edd", allow_pdf=False).pk
    _transition(_item(user, ItemKind.EDD), S.PENDING, actor=user, action="submitted", data=data)


@transaction.atomic
def edd_submit(*, user, answers: dict, source_file, origin_file) -> None:
    user = _lock_user(user)
    _require_open(kyc_view(user=user, with_reasons=False), {"enhancedDueDiligence"}, "enhancedDueDiligence")
    _check_upload_allowance(user, 2)
    _edd_apply(user, answers=answers, source_file=source_file, origin_file=origin_file)
    kyc_state_recompute(user=user)


@transaction.atomic
def kyc_submit(*, user, address: dict, documents: dict, edd: dict | None, edd_files: dict) -> None:
    """The whole KYC at once (POST kyc): address, documents and optionally the EDD answers. Every part sent must
    be open (423 otherwise), so nothing accepted is overwritten; it is all or nothing."""
    user = _lock_user(user)
    view = kyc_view(user=user, with_reasons=False)
    parts = {"address"} | set(documents) | ({"enhancedDueDiligence"} if edd else set())
    if not parts <= view.open:
        raise exc.step_not_required("kyc")
    _check_upload_allowance(user, len(documents) + sum(1 for f in edd_files.values() if f is not None))
    _address_apply(user, **address)
    for kind, upload in documents.items():
        _document_apply(user, kind=kind, upload=upload, field=f"documents.{kind}", allow_pdf=False)
    if edd:
        _edd_apply(
            user,
            answers=edd,
            source_file=edd_files.get("fundsSourceFile"),
            origin_file=edd_files.get("fundsOriginFile"),
            prefix="edd.",
        )
    kyc_state_recompute(user=user)


# --- Video calls -----------------------------------------------------------------------------------


def _slot_staff(when, slot: timedelta):
    """A staff member available for [when, when + slot) with no other call overlapping it, or None."""
    windows = StaffAvailability.objects.filter(
        starts_at__lte=when, ends_at__gte=when + slot, staff__is_active=True, staff__is_staff=True
    ).order_by("staff_id")
    for window in windows:
        busy = VideoCall.objects.filter(
            staff_id=window.staff_id,
            status=VideoCall.Status.SCHEDULED,
            scheduled_at__gt=when - slot,
            scheduled_at__lt=when + slot,
        ).exists()
        if not busy:
            return window.staff
    return None


@transaction.atomic
def video_schedule(*, user, when) -> VideoCall:
    """Book a video call at `when` with a staff member available then (421 when nobody is); a scheduled call of
    the user's is moved (rescheduled)."""
    user = _lock_user(user)
    _require_open(kyc_view(user=user, with_reasons=False), {"video"}, "video")
    slot = timedelta(minutes=settings.KYC_VIDEO_SLOT_MINUTES)
    VideoCall.objects.filter(user=user, status=VideoCall.Status.SCHEDULED).update(status=VideoCall.Status.CANCELLED)
    staff = _slot_staff(when, slot)
    if staff is None:
        raise exc.VideoSlotUnavailable()
    try:
        with transaction.atomic():
            call = VideoCall.objects.create(user=user, staff=staff, scheduled_at=when)
    except IntegrityError as error:  # another user booked the same staff slot concurrently
        raise exc.VideoSlotUnavailable() from error
    data = {"scheduledAt": int(when.timestamp()), "callId": call.pk}
    _transition(_item(user, ItemKind.VIDEO), S.PENDING, actor=user, action="video scheduled", data=data)
    kyc_state_recompute(user=user)
    return call


@transaction.atomic
def video_cancel(*, user) -> None:
    user = _lock_user(user)
    item = _item(user, ItemKind.VIDEO)
    if item.status != S.PENDING:
        raise exc.step_not_required("video")
    VideoCall.objects.filter(user=user, status=VideoCall.Status.SCHEDULED).update(status=VideoCall.Status.CANCELLED)
    _transition(item, S.NOT_COMPLETED, actor=user, action="video cancelled", data={})


@transaction.atomic
def video_call_complete(*, call: VideoCall, staff, outcome: str, notes: str = "", reason: str = "") -> VideoCall:
    """Staff mark a call done: passed accepts the user's video step, failed rejects it with `reason`."""
    _require_decider(staff)
    call = VideoCall.objects.select_for_update().get(pk=call.pk)
    if call.status != VideoCall.Status.SCHEDULED:
        raise exc.ItemTransitionRefused()
    call.status, call.outcome, call.notes = VideoCall.Status.DONE, outcome, notes
    call.save(update_fields=["status", "outcome", "notes"])
    item = _item(call.user, ItemKind.VIDEO)
    if outcome == VideoCall.Outcome.PASSED:
        item_accept(item=item, staff=staff)
    else:
        item_reject(item=item, staff=staff, reasons={"call": reason or "video_failed"})
    return call


# --- Phone -----------------------------------------------------------------------------------------


def phone_normalize(raw: str) -> str | None:
    """Digits of a valid international number in E.164 (without +), or None."""
    try:
        number = phonenumbers.parse("+" + str(raw).lstrip("+"), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def _code_hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"kyc-sms:{code}".encode(), hashlib.sha256).hexdigest()


def _sms_limited(*, user, phone: str) -> bool:
    limited = False
    for group, key, rate in (
        ("kyc-sms-user", str(user.pk), settings.KYC_SMS_RATE_PER_USER),
        ("kyc-sms-number", phone, settings.KYC_SMS_RATE_PER_NUMBER),
    ):
        usage = get_usage(None, group=group, key=lambda _g, _r, key=key: key, rate=rate, increment=True)
        limited = limited or (usage is not None and usage["should_limit"])
    return limited


def _send_code(user, phone: str, *, resend: bool) -> PhoneVerification:
    if _sms_limited(user=user, phone=phone):
        raise exc.SmsRateLimited()
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    PhoneVerification.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    verification = PhoneVerification.objects.create(
        user=user,
        phone=phone,
        code_hash=_code_hash(code),
        resend=resend,
        expires_at=now + settings.KYC_SMS_CODE_TTL,
    )
    minutes = int(settings.KYC_SMS_CODE_TTL.total_seconds() // 60)
    body = f"CCPro: your verification code is {code}. It expires in {minutes} minutes."
    transaction.on_commit(lambda: _sms_send(f"+{phone}", body), robust=True)
    return verification


def _sms_send(to: str, body: str) -> None:
    """Send now (after commit). A failure is logged: the user can ask for a new code with phone/reverify."""
    from notifications.sms import SmsProviderError, send_sms

    try:
        send_sms(to, body)
    except SmsProviderError:
        log.warning("KYC SMS to %s failed", to[:5] + "…")


def _live_code(user) -> PhoneVerification | None:
    return (
        PhoneVerification.objects.filter(
            user=user,
            phone=user.phone,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=settings.KYC_SMS_CODE_MAX_ATTEMPTS,
        )
        .order_by("-created_at")
        .first()
    )


def _phone_verified(user) -> bool:
    return KycItem.objects.filter(user=user, kind=ItemKind.PHONE, status=S.ACCEPTED).exists()


@dataclass(frozen=True)
class PhoneState:
    phone: str
    verified: bool
    created_at: object


@transaction.atomic
def phone_add(*, user, phone: str) -> PhoneState:
    """Submit a number and text it a code. Refused while the number on file is verified, or while a code sent
    to it is still usable (423); once that code is spent or expired, a new number may be submitted."""
    user = _lock_user(user)
    if _phone_verified(user):
        raise exc.PhoneAlreadyVerified()
    normalized = phone_normalize(phone)
    if normalized is None:
        raise errors.InvalidInput(errors={"phone": ["The phone format is invalid."]})
    if user.phone and _live_code(user) is not None:
        raise exc.PhoneAlreadySubmitted()
    user.phone = normalized
    user.save(update_fields=["phone"])
    verification = _send_code(user, normalized, resend=False)
    item = _item(user, ItemKind.PHONE)
    _transition(item, S.PENDING, actor=user, action="submitted", data={"phone": normalized})
    return PhoneState(phone=f"+{normalized}", verified=False, created_at=verification.created_at)


def phone_verify(*, user, code: str) -> PhoneState:
    """Check the SMS code; a wrong guess spends one of the code's attempts (kept even though the request fails)."""
    if _phone_verified(user):
        raise exc.PhoneAlreadyVerified()
    invalid = errors.InvalidInput(errors={"code": ["The selected Code is invalid."]})
    live = _live_code(user) if user.phone else None
    if live is None:
        raise invalid
    if not hmac.compare_digest(live.code_hash, _code_hash(str(code or "").strip())):
        PhoneVerification.objects.filter(pk=live.pk).update(attempts=F("attempts") + 1)
        raise invalid
    with transaction.atomic():
        locked = _lock_user(user)
        if PhoneVerification.objects.filter(pk=live.pk, used_at__isnull=True).update(used_at=timezone.now()) != 1:
            raise invalid
        item = _item(locked, ItemKind.PHONE)
        if item.status != S.PENDING:  # a number on file from registration, never submitted through phone/add
            _transition(item, S.PENDING, actor=locked, action="submitted", data={"phone": locked.phone})
        _transition(item, S.ACCEPTED, actor=locked, action="verified by SMS code")
        kyc_state_recompute(user=locked)
    return PhoneState(phone=f"+{locked.phone}", verified=True, created_at=live.created_at)


@transaction.atomic
def phone_reverify(*, user) -> PhoneState:
    """Text a new code to the number on file; once a day."""
    user = _lock_user(user)
    if _phone_verified(user):
        raise exc.PhoneAlreadyVerified()
    if not user.phone:
        raise errors.InvalidInput(errors={"phone": ["The phone field is required."]})
    since = timezone.now() - timedelta(days=1)
    if PhoneVerification.objects.filter(user=user, resend=True, created_at__gte=since).exists():
        raise exc.PhoneReverifiedToday()
    verification = _send_code(user, user.phone, resend=True)
    return PhoneState(phone=f"+{user.phone}", verified=False, created_at=verification.created_at)


# --- Decisions by compliance staff -----------------------------------------------------------------


def _require_decider(staff) -> None:
    if staff is None or not staff.is_active or not staff.is_staff or not staff.has_perm("kyc.decide_kycitem"):
        raise errors.ActionForbidden("This action is unauthorized.")


def kyc_decision_notify(*, item: KycItem, accepted: bool, reason: str = "") -> None:
    """Tell the user about a decision (inbox + the event's channels), inside the deciding transaction."""
    from notifications.services import notification_create

    step = STEP_LABELS.get(item.kind, item.kind)
    if accepted:
        notification_create(user=item.user, event="kyc_accepted", context={"step": step}, meta={"id": item.pk})
    else:
        notification_create(
            user=item.user, event="kyc_rejected", context={"step": step, "reason": reason}, meta={"id": item.pk}
        )


@transaction.atomic
def item_accept(*, item: KycItem, staff) -> KycItem:
    _require_decider(staff)
    item = KycItem.objects.select_for_update().select_related("user").get(pk=item.pk)
    _transition(item, S.ACCEPTED, actor=staff, action="accepted")
    kyc_state_recompute(user=item.user)
    kyc_decision_notify(item=item, accepted=True)
    return item


@transaction.atomic
def item_reject(*, item: KycItem, staff, reasons: dict[str, str]) -> KycItem:
    """Reject with a reason code per field (`{"street": "incorrect_or_incomplete_data"}`; documents use
    `{"file": code}`), codes from the active catalogue."""
    _require_decider(staff)
    reasons = {name: code for name, code in (reasons or {}).items() if code}
    if not reasons:
        raise exc.UnknownRejectReason(errors={"reasons": ["Give at least one reason."]})
    known = dict(
        RejectReason.objects.filter(code__in=set(reasons.values()), active=True).values_list("code", "message")
    )
    unknown = sorted(set(reasons.values()) - set(known))
    if unknown:
        raise exc.UnknownRejectReason(errors={"reasons": [f"Unknown reason: {', '.join(unknown)}."]})
    item = KycItem.objects.select_for_update().select_related("user").get(pk=item.pk)
    _transition(item, S.REJECTED, actor=staff, action="rejected", reasons=reasons)
    kyc_state_recompute(user=item.user)
    kyc_decision_notify(item=item, accepted=False, reason=" ".join(dict.fromkeys(known[c] for c in reasons.values())))
    return item


# --- Limits ----------------------------------------------------------------------------------------

BUY_OPERATIONS = frozenset({"deposit", "buy_with_fiat", "buy_with_crypto"})
SELL_OPERATIONS = frozenset({"sell_to_fiat", "sell_to_crypto", "withdraw", "withdrawIco"})


@dataclass(frozen=True)
class LevelCheck:
    allowed: bool
    level: int
    required_level: int | None  # the lowest level allowing it; None when allowed, or when no level does


def kyc_level_required(*, user, operation: str, amount: Decimal, fiat: str) -> LevelCheck:
    """May `user` do `operation` worth `amount` of `fiat` now? Counts what the user already bought (deposit,
    buy_*) or sold (sell_*, withdraw*) in the platform's reference period, converted to the reference fiat.
    Quotes and orders call this and answer `kycLevelRequired` when it is not allowed."""
    from platforms.models import Platform
    from trading.selectors import rate_price

    if not isinstance(amount, Decimal):
        raise TypeError("amount must be Decimal")
    if operation not in BUY_OPERATIONS | SELL_OPERATIONS:
        raise ValueError(f"unknown operation {operation}")
    side = "buy" if operation in BUY_OPERATIONS else "sell"
    platform_id = user_platform_id(user=user)
    reference = Platform.objects.filter(pk=platform_id).values_list("reference_fiat", flat=True).first() or "EUR"
    if fiat.upper() != reference:
        amount = amount * rate_price(fiat.upper(), max_age_seconds=None) / rate_price(reference, max_age_seconds=None)
    total = period_amounts(user=user)[side] + amount
    levels = level_list(platform_id=platform_id)
    view = kyc_view(user=user, with_reasons=False)
    allowed, required = rules.level_for_amount(levels, current=view.level, side=side, total=total)
    return LevelCheck(allowed=allowed, level=view.level, required_level=required)
