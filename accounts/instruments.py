"""Writes about banks, cards and withdrawal wallets, and their review by staff.

Format rules are checked by the API's input serializers (`accounts.instrument_rules`); these services own
what needs the database (uniqueness, usage by orders), the uploads, and every status move. Status changes
go only through `instrument_transition`, which refuses moves the workflow does not allow and records each
one (who, when, from, to, why).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ccpro import errors
from ccpro.api.validation import laravel_message
from ccpro.uploads.services import stored_file_create
from notifications.services import notification_create

from . import exceptions as exc
from . import selectors
from .models import Bank, Card, InstrumentStatus, InstrumentStatusChange, User, Wallet

S = InstrumentStatus
# The review workflow. PENDING is re-entered only when the user resubmits a card (new data, new images).
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.CONFIRMED, S.REJECTED},
    S.CONFIRMED: {S.REJECTED, S.PENDING},
    S.REJECTED: {S.PENDING},
}
_KIND_FIELD = {Bank: "bank", Card: "card", Wallet: "wallet"}

Instrument = Bank | Card | Wallet


def _taken(field: str) -> errors.InvalidInput:
    return errors.InvalidInput(errors={field: [laravel_message(field, "The {attr} has already been taken.")]})


def _record(*, instrument: Instrument, from_status: str, to_status: str, actor: str, actor_user, reason: str = ""):
    return InstrumentStatusChange.objects.create(
        **{_KIND_FIELD[type(instrument)]: instrument},
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_user=actor_user,
        reason=reason,
    )


# --- Status workflow -----------------------------------------------------------------------------


@transaction.atomic
def instrument_transition(
    *, instrument: Instrument, to_status: str, actor: str, actor_user: User | None, reason: str = ""
) -> Instrument:
    """Move a bank, card or wallet to `to_status` under a row lock, or refuse; the move is recorded."""
    model = type(instrument)
    locked = model.objects.select_for_update().get(pk=instrument.pk)
    if locked.deleted_at is not None or to_status not in TRANSITIONS[locked.status]:
        raise exc.InstrumentTransitionRefused(f"A {_KIND_FIELD[model]} cannot go from {locked.status} to {to_status}.")
    from_status = locked.status
    now = timezone.now()
    locked.status = to_status
    locked.updated_at = now
    if actor == InstrumentStatusChange.Actor.STAFF:
        locked.reviewed_at, locked.reviewed_by = now, actor_user
    locked.reject_reason = reason if to_status == S.REJECTED else ""
    locked.save(update_fields=["status", "updated_at", "reviewed_at", "reviewed_by", "reject_reason"])
    _record(
        instrument=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_user=actor_user,
        reason=reason,
    )
    return locked


def _review_notify_owner(*, instrument: Instrument) -> None:
    """Hook: the owner's inbox notification (and mail) of a staff decision, e.g. `bank_rejected`."""
    kind = _KIND_FIELD[type(instrument)]
    outcome = "confirmed" if instrument.status == S.CONFIRMED else "rejected"
    notification_create(
        user=instrument.user,
        event=f"{kind}_{outcome}",
        context={"label": _instrument_label(instrument), "reason": instrument.reject_reason},
        meta={"id": instrument.pk},
    )


def _instrument_label(instrument: Instrument) -> str:
    if isinstance(instrument, Bank):
        return f"{instrument.bank_name} (IBAN …{instrument.iban[-4:]})"
    if isinstance(instrument, Card):
        return f"{instrument.alias} (card ending in {instrument.last_four_digits})"
    return f"{instrument.alias} ({instrument.asset.symbol} …{instrument.address[-6:]})"


@transaction.atomic
def instrument_confirm(*, instrument: Instrument, staff: User) -> Instrument:
    """Staff confirm a pending bank, card or wallet; only confirmed ones can be used by quotes and orders."""
    confirmed = instrument_transition(
        instrument=instrument, to_status=S.CONFIRMED, actor=InstrumentStatusChange.Actor.STAFF, actor_user=staff
    )
    _review_notify_owner(instrument=confirmed)
    return confirmed


@transaction.atomic
def instrument_reject(*, instrument: Instrument, staff: User, reason: str) -> Instrument:
    """Staff reject a pending (or revoke a confirmed) bank, card or wallet, always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise errors.InvalidInput(errors={"reason": ["The reason field is required."]})
    rejected = instrument_transition(
        instrument=instrument,
        to_status=S.REJECTED,
        actor=InstrumentStatusChange.Actor.STAFF,
        actor_user=staff,
        reason=reason[:500],
    )
    _review_notify_owner(instrument=rejected)
    return rejected


def _soft_delete(instrument: Instrument) -> None:
    now = timezone.now()
    type(instrument).objects.filter(pk=instrument.pk).update(deleted_at=now, updated_at=now)
    instrument.deleted_at = now


# --- Banks ---------------------------------------------------------------------------------------


@transaction.atomic
def bank_create(*, user: User, bank_name: str, iban: str, swift: str, currency: str) -> Bank:
    """A new bank account of the user's, PENDING until staff confirm it. `iban`/`swift` come normalised."""
    if Bank.objects.filter(iban=iban, deleted_at__isnull=True).exists():
        raise _taken("iban")
    try:
        with transaction.atomic():
            bank = Bank.objects.create(user=user, bank_name=bank_name, iban=iban, swift=swift, currency=currency)
    except IntegrityError:  # a concurrent request registered the same IBAN first
        raise _taken("iban")
    _record(
        instrument=bank, from_status="", to_status=S.PENDING, actor=InstrumentStatusChange.Actor.USER, actor_user=user
    )
    return bank


@transaction.atomic
def bank_delete(*, user: User, bank_id) -> None:
    """Hide the user's bank; refused once a quote or order has used it (their history keeps pointing at it)."""
    bank = selectors.bank_get(user=user, bank_id=bank_id)
    bank = Bank.objects.select_for_update().get(pk=bank.pk)
    if selectors.instrument_is_used(instrument=bank):
        raise exc.BankAlreadyUsed()
    _soft_delete(bank)


# --- Cards ---------------------------------------------------------------------------------------


def _card_images_store(*, user: User, front, holding) -> tuple:
    """Both images validated by content and stored privately, or an InvalidInput naming each bad one."""
    stored, field_errors = {}, {}
    for field, upload, purpose in (("cardImage1", front, "card_front"), ("cardImage2", holding, "card_holding")):
        try:
            stored[field] = stored_file_create(owner=user, upload=upload, field=field, purpose=purpose)
        except errors.InvalidInput as error:
            field_errors.update(error.errors or {})
    if field_errors:
        _files_discard(stored.values())
        raise errors.InvalidInput(errors=field_errors)
    return stored["cardImage1"], stored["cardImage2"]


def _files_discard(files) -> None:
    """Remove stored files of a request that failed: the rollback drops their rows, not their bytes."""
    for stored_file in files:
        stored_file.file.delete(save=False)


@transaction.atomic
def card_create(
    *,
    user: User,
    alias: str,
    holder_name: str,
    expiration_month: int,
    expiration_year: int,
    last_four_digits: str,
    image_front,
    image_holding,
) -> Card:
    """A new card, known by its last four digits and two images, PENDING until staff confirm it."""
    front, holding = _card_images_store(user=user, front=image_front, holding=image_holding)
    try:
        card = Card.objects.create(
            user=user,
            alias=alias,
            holder_name=holder_name,
            expiration_month=expiration_month,
            expiration_year=expiration_year,
            last_four_digits=last_four_digits,
            image_front=front,
            image_holding=holding,
        )
        _record(
            instrument=card,
            from_status="",
            to_status=S.PENDING,
            actor=InstrumentStatusChange.Actor.USER,
            actor_user=user,
        )
    except Exception:
        _files_discard((front, holding))
        raise
    return card


@transaction.atomic
def card_update(
    *,
    user: User,
    card_id,
    alias: str,
    holder_name: str,
    expiration_month: int,
    expiration_year: int,
    last_four_digits: str,
    image_front,
    image_holding,
) -> Card:
    """Replace the card's data and images; a changed card goes back to PENDING for staff to review again.

    The previous images are kept (they are what staff reviewed before)."""
    card = selectors.card_get(user=user, card_id=card_id)
    front, holding = _card_images_store(user=user, front=image_front, holding=image_holding)
    try:
        card = Card.objects.select_for_update().get(pk=card.pk)
        card.alias, card.holder_name = alias, holder_name
        card.expiration_month, card.expiration_year = expiration_month, expiration_year
        card.last_four_digits = last_four_digits
        card.image_front, card.image_holding = front, holding
        card.updated_at = timezone.now()
        card.save()
        if card.status != S.PENDING:
            card = instrument_transition(
                instrument=card, to_status=S.PENDING, actor=InstrumentStatusChange.Actor.USER, actor_user=user
            )
    except Exception:
        _files_discard((front, holding))
        raise
    return card


@transaction.atomic
def card_delete(*, user: User, card_id) -> None:
    card = selectors.card_get(user=user, card_id=card_id)
    card = Card.objects.select_for_update().get(pk=card.pk)
    if selectors.instrument_is_used(instrument=card):
        raise exc.CardAlreadyUsed()
    _soft_delete(card)


# --- Wallets -------------------------------------------------------------------------------------


def _wallet_alias_taken(*, user: User, alias: str, exclude_id=None) -> bool:
    qs = Wallet.objects.filter(user=user, alias__iexact=alias, deleted_at__isnull=True)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.exists()


@transaction.atomic
def wallet_create(*, user: User, asset, address: str, alias: str) -> Wallet:
    """A withdrawal wallet for a coin or token; `address` comes validated and normalised for the chain."""
    if Wallet.objects.filter(address=address, deleted_at__isnull=True).exists():
        raise _taken("address")
    if _wallet_alias_taken(user=user, alias=alias):
        raise _taken("alias")
    try:
        with transaction.atomic():
            wallet = Wallet.objects.create(user=user, asset=asset, address=address, alias=alias)
    except IntegrityError as error:  # a concurrent request took the address or alias first
        raise _taken("alias" if "alias" in str(error) else "address")
    _record(
        instrument=wallet, from_status="", to_status=S.PENDING, actor=InstrumentStatusChange.Actor.USER, actor_user=user
    )
    return wallet


@transaction.atomic
def wallet_update(*, user: User, wallet_id, alias: str) -> Wallet:
    """Only the alias of a wallet can change; its address and coin are what staff confirmed."""
    wallet = selectors.wallet_get(user=user, wallet_id=wallet_id)
    if _wallet_alias_taken(user=user, alias=alias, exclude_id=wallet.pk):
        raise _taken("alias")
    try:
        with transaction.atomic():
            Wallet.objects.filter(pk=wallet.pk).update(alias=alias, updated_at=timezone.now())
    except IntegrityError:
        raise _taken("alias")
    wallet.alias = alias
    return wallet
