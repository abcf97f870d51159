"""KYC reads: the platform's levels (cached), a user's items, level and the KYC object in the reference's shapes.

Two shapes exist in the reference: the profile's `kyc` part (`kyc_summary`: `emailSent`, `tempFiles`, `eddData`,
EDD codes) and the KYC endpoints' object (`kyc_detail`: `rejectReason`s, EDD ranges as `…Field`). Both are
built from one `KycView`, which costs one query for the user's items (levels and the user's platform are cached).
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Min, Q
from django.utils import timezone

from ccpro.api.fields import decimal_string
from ccpro.db import ModelColumns, fetch

from . import levels as rules
from .links import link_reused
from .models import ItemKind, ItemStatus, KycItem, KycLevel, RejectReason, StaffAvailability, VideoCall

NOT_COMPLETED = ItemStatus.NOT_COMPLETED.value

EDD_CHOICES = {
    "transactionsPurpose": ["remittances", "payments", "investments", "savings", "other"],
    "transactionsNatureValue": ["1 - 1000", "1000 - 5000", "5000 - 10000", "10000 - 50000", "+50000"],
    "transactionsNatureFrequency": ["1 - 5", "6 - 10", "11 - 20", "21 - 50", "+50"],
    "fundsSource": ["credit_debit_card", "e_wallet", "bank_account", "mining_wallet", "other"],
    "fundsOrigin": [
        "payroll_funds",
        "dividends_of_business",
        "personal_savings",
        "proceeds_of_investments",
        "proceeds_of_mining",
        "other",
    ],
}
EDD_FIELDS = (
    "transactionsPurpose",
    "transactionsPurposeOther",
    "transactionsNatureValue",
    "transactionsNatureFrequency",
    "fundsSource",
    "fundsSourceOther",
    "fundsSourceFile",
    "fundsOrigin",
    "fundsOriginOther",
    "fundsOriginFile",
)
LEVELS_CACHE_TTL = 3600


def _unix(value):
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=UTC)
    return int(value.timestamp())


# --- Levels ----------------------------------------------------------------------------------------


LEVELS_VERSION_KEY = "kyc:levels:version"


def levels_invalidate_all() -> None:
    """Any level change: a new version makes every platform's cached levels (and the CCPRO fallback) stale."""
    cache.set(LEVELS_VERSION_KEY, uuid.uuid4().hex, None)


def levels_version() -> str:
    # Random rather than "0" when missing: after a cache flush the new version cannot be one whose levels a
    # process still holds (_LOCAL_LEVELS).
    return cache.get_or_set(LEVELS_VERSION_KEY, lambda: uuid.uuid4().hex, None)


# Built level lists are also kept in the process, keyed by version (a level change makes them unreachable).
_LOCAL_LEVELS: dict[str, list] = {}


def level_list(*, platform_id, version: str | None = None) -> list[rules.Level]:
    """The platform's levels, lowest first; a platform without its own levels uses CCPRO's (like the market
    configuration does). Cached under a version that any level change replaces (`version`: already read)."""
    key = f"kyc:levels:{version or levels_version()}:{platform_id}"
    found = _LOCAL_LEVELS.get(key)
    if found is not None:
        return found
    found = cache.get(key)
    if found is None:
        rows = KycLevel.objects.filter(platform_id=platform_id).order_by("number")
        if not rows.exists():
            from platforms.models import DEFAULT_PLATFORM_CODE

            rows = KycLevel.objects.filter(platform__code=DEFAULT_PLATFORM_CODE).order_by("number")
        found = [
            rules.Level(
                number=r.number, name=r.name, required=tuple(r.required), max_buy=r.max_buy, max_sell=r.max_sell
            )
            for r in rows
        ]
        cache.set(key, found, LEVELS_CACHE_TTL)
    if len(_LOCAL_LEVELS) > 64:
        _LOCAL_LEVELS.clear()
    _LOCAL_LEVELS[key] = found
    return found


def platform_kyc_levels(*, platform) -> list[dict]:
    """`levels` of Platform Show: `{level, name, required, max {buy, sell}}`, maxima as Decimals."""
    return [
        {
            "level": str(lv.number),
            "name": lv.name,
            "required": list(lv.required),
            "max": {"buy": lv.max_buy, "sell": lv.max_sell},
        }
        for lv in level_list(platform_id=platform.pk)
    ]


def user_platform_id(*, user):
    from trading.selectors import user_market

    return user_market(user=user).platform_id


# --- Period amounts --------------------------------------------------------------------------------
# What the user bought and sold in the platform's reference period (the last N days, months or years), in its
# reference fiat, from the user's approved orders. Limit decisions (services.kyc_level_required) sum them in
# the database every time. The KYC object only shows them, on every profile read: there the sums per side and
# asset are cached per user (a user with 10,000 orders costs PostgreSQL ~18 ms per sum) and valued at the
# current rates on each read. A cached sum stays exact while (a) none of the user's orders has been approved
# since, which the per-user version below tells (trading.orders bumps it in the approving transaction and
# again after its commit), and (b) the period has not moved past the oldest order it counted (orders leave
# the period only by ageing; their creation time and owner never change, APPROVED is final).

PERIOD_SUMS_KEY = "kyc:period-sums:{}"
PERIOD_VERSION_KEY = "kyc:period-version:{}"
PERIOD_SUMS_TTL = 3600


def period_amounts_changed(*, user_id) -> None:
    """One of the user's orders was approved: the cached period sums of the user no longer count."""
    cache.set(PERIOD_VERSION_KEY.format(user_id), uuid.uuid4().hex, None)


def _period(config) -> tuple[str, timedelta]:
    fiat, kind, value = config.reference
    return fiat, timedelta(days={"DAYS": 1, "MONTHS": 30, "YEARS": 365}.get(kind, 30) * max(int(value or 1), 1))


def period_amounts(*, user) -> dict[str, Decimal]:
    """The user's period amounts straight from the database (what limit decisions use)."""
    from trading.order_selectors import order_period_amounts
    from trading.selectors import market_for_user

    config, _market, _current = market_for_user(user=user)
    fiat, length = _period(config)
    return order_period_amounts(user=user, since=timezone.now() - length, fiat=fiat)


def _period_amounts_shown(*, user, config, current, found: dict) -> dict[str, Decimal]:
    """The period amounts the KYC object shows: the cached sums when they are still exact (see above), with
    the cache values `found` read in the caller's round trip."""
    from trading.order_selectors import order_period_sums, order_period_value

    version_key, sums_key = PERIOD_VERSION_KEY.format(user.pk), PERIOD_SUMS_KEY.format(user.pk)
    # Random when missing, so a sum cached under an evicted version cannot be taken for a current one.
    version = found.get(version_key) or cache.get_or_set(version_key, lambda: uuid.uuid4().hex, None)
    fiat, length = _period(config)
    since = timezone.now() - length
    entry = found.get(sums_key)
    if entry is not None:
        cached_version, cached_since, oldest, sums = entry
        if cached_version == version and cached_since <= since and (oldest is None or since <= oldest):
            return order_period_value(sums, fiat=fiat, current=current)
    # The version was read before the sums: an approval committed meanwhile makes this entry stale at once.
    sums, oldest = order_period_sums(user=user, since=since)
    cache.set(sums_key, (version, since, oldest, sums), PERIOD_SUMS_TTL)
    return order_period_value(sums, fiat=fiat, current=current)


@dataclass(frozen=True)
class KycReads:
    levels: list
    amounts: dict


def kyc_reads(*, user) -> KycReads:
    """The user's levels and shown period amounts from one cache round trip (with the market's keys)."""
    from trading.selectors import market_reads

    extra = (LEVELS_VERSION_KEY, PERIOD_VERSION_KEY.format(user.pk), PERIOD_SUMS_KEY.format(user.pk))
    config, market, current, found = market_reads(user=user, extra_keys=extra)
    levels = level_list(platform_id=market.platform_id, version=found.get(LEVELS_VERSION_KEY))
    amounts = _period_amounts_shown(user=user, config=config, current=current, found=found)
    return KycReads(levels=levels, amounts=amounts)


# --- A user's KYC ----------------------------------------------------------------------------------


@dataclass
class KycView:
    user: object
    levels: list
    items: dict  # kind -> KycItem (extended proofs of funds: in `proofs`)
    proofs: list = field(default_factory=list)
    level: int = 0
    accepted: frozenset = frozenset()
    open: frozenset = frozenset()
    next_missing: frozenset = frozenset()
    reasons: dict = field(default_factory=dict)  # code -> message

    def status_of(self, kind: str) -> str:
        item = self.items.get(kind)
        return item.status if item else NOT_COMPLETED

    def step_open(self, step: str) -> bool:
        return any(rules.STEP_OF_ITEM[item] == step for item in self.open)

    def step_required(self, step: str) -> bool:
        return any(rules.STEP_OF_ITEM[item] == step for item in self.next_missing)

    @property
    def required(self) -> str | None:
        actionable = {i for i in self.next_missing if i == "email" or self.status_of(i) != ItemStatus.PENDING}
        return rules.first_step(actionable or self.next_missing)


def _accepted(user, items, proofs) -> frozenset[str]:
    accepted = {kind for kind, item in items.items() if item.status == ItemStatus.ACCEPTED}
    if any(p.status == ItemStatus.ACCEPTED for p in proofs):
        accepted.add("extendedProofOfFunds")
    if user.email_verified_at is not None:
        accepted.add("email")
    return frozenset(accepted)


# Every column of an item; the profile reads the items with its lists, in its own statement (accounts/selectors.py).
ITEM_COLUMNS = ModelColumns(KycItem, "i")
_items_sql: dict[str, str] = {}


def _item_list(*, user) -> list[KycItem]:
    """The user's items, oldest first, as the ORM would load them, from a statement built once per backend
    (ccpro/db.py): this runs on every profile read, and compiling the queryset cost more than running it."""
    connection = connections[router.db_for_read(KycItem)]
    sql = _items_sql.get(connection.vendor)
    if sql is None:
        items = ITEM_COLUMNS
        # Identifiers from the model's _meta (quoted by the backend); the user id is a parameter.
        sql = _items_sql[connection.vendor] = (
            f"SELECT {items.select_list(connection)} FROM {items.table(connection)}"  # noqa: S608
            f" WHERE {items.column(connection, 'user')} = %s"
            f" ORDER BY {items.column(connection, 'created_at')}, {items.column(connection, 'id')}"
        )
    user_id = KycItem._meta.get_field("user").get_db_prep_value(user.pk, connection)
    return [ITEM_COLUMNS.instance(connection, row) for row in fetch(connection.alias, sql, [user_id])]


def kyc_view(*, user, with_reasons: bool = True, levels: list | None = None, items: list | None = None) -> KycView:
    """`levels` and `items` (the user's KycItems, oldest first) when the caller has read them already."""
    loaded, items, proofs = items, {}, []
    for item in _item_list(user=user) if loaded is None else loaded:
        if item.kind == ItemKind.EXTENDED_PROOF_OF_FUNDS:
            proofs.append(item)
        else:
            items[item.kind] = item
    if levels is None:
        levels = level_list(platform_id=user_platform_id(user=user))
    accepted = _accepted(user, items, proofs)
    level = rules.level_of(levels, accepted)
    view = KycView(user=user, levels=levels, items=items, proofs=proofs, level=level, accepted=accepted)
    view.open = rules.open_items(levels, level, accepted)
    view.next_missing = rules.missing_for(rules.next_level(levels, level), accepted)
    codes = {code for item in [*items.values(), *proofs] for code in item.reject_reasons.values()}
    if with_reasons and codes:
        view.reasons = dict(RejectReason.objects.filter(code__in=codes).values_list("code", "message"))
    return view


def kyc_level_get(*, user) -> int:
    return kyc_view(user=user, with_reasons=False).level


def phone_unverified(*, user) -> bool:
    """For the permanent notification `phone_unverified`: a number is on file and not verified."""
    if not user.phone:
        return False
    return not KycItem.objects.filter(user=user, kind=ItemKind.PHONE, status=ItemStatus.ACCEPTED).exists()


# --- Rendering -------------------------------------------------------------------------------------


def file_url(file_id) -> str | None:
    return f"{settings.SITE_URL}/files/{file_id}" if file_id else None


def _reason(view: KycView, code: str) -> dict:
    return {"code": code, "message": view.reasons.get(code, "")}


def _status(item) -> str:
    """Rejected items read NOT COMPLETED with their `rejectReason`, as the reference shows them: the user has to
    submit them again. Staff see REJECTED."""
    if item is None or item.status == ItemStatus.REJECTED:
        return NOT_COMPLETED
    return item.status


def _field_reasons(view: KycView, item) -> dict:
    if item is None or item.status != ItemStatus.REJECTED or not item.reject_reasons:
        return {}
    return {"rejectReason": {name: _reason(view, code) for name, code in item.reject_reasons.items()}}


def _document(view: KycView, item) -> dict:
    body = {"status": _status(item)}
    if item is not None and item.status == ItemStatus.REJECTED and item.reject_reasons:
        body["rejectReason"] = _reason(view, next(iter(item.reject_reasons.values())))
    body["url"] = file_url(item.file_id) if item is not None else None
    return body


def _video_status(item) -> str | None:
    if item is None or item.status == ItemStatus.NOT_COMPLETED:
        return None
    return {"ACCEPTED": "APPROVED"}.get(item.status, item.status)


def _video(view: KycView) -> dict:
    item = view.items.get(ItemKind.VIDEO)
    scheduled = (item.data or {}).get("scheduledAt") if item and item.status == ItemStatus.PENDING else None
    user = view.user
    return {
        "required": view.step_required("video"),
        "emailSent": bool(item and (item.data or {}).get("emailSent")),
        "status": _video_status(item),
        "videoFile": None,
        "scheduleDate": scheduled,
        "scheduleDateTimezone": "UTC" if scheduled else None,
        "cancelScheduleUrl": link_reused(user=user, page="video_cancel") if scheduled else None,
        "rescheduleUrl": link_reused(user=user, page="video_reschedule") if scheduled else None,
    }


def _edd_values(item) -> dict:
    data = (item.data if item else None) or {}
    values = {name: data.get(name) for name in EDD_FIELDS}
    values["fundsSourceFile"] = file_url(data.get("fundsSourceFile"))
    values["fundsOriginFile"] = file_url(data.get("fundsOriginFile"))
    return values


def _edd_status(item) -> str | None:
    return None if item is None or item.status == ItemStatus.NOT_COMPLETED else _status(item)


def _range(name: str, code) -> str | None:
    if code is None:
        return None
    return EDD_CHOICES[name][int(code) - 1]


def _links(view: KycView) -> dict:
    return {
        step: link_reused(user=view.user, page=step) if view.step_open(step) else ""
        for step in ("address", "documents", "video", "enhancedDueDiligence")
    }


def _overall_status(view: KycView) -> str:
    items = [*view.items.values(), *view.proofs]
    if any(item.status == ItemStatus.PENDING for item in items):
        return ItemStatus.PENDING.value
    return ItemStatus.ACCEPTED.value if view.level > 0 else NOT_COMPLETED


def _head(view: KycView, amounts: dict) -> dict:
    following = rules.next_level(view.levels, view.level) or rules.level_get(view.levels, view.level)
    user = view.user
    phone_item = view.items.get(ItemKind.PHONE)
    return {
        "required": view.required,
        "status": _overall_status(view),
        "level": view.level,
        "amounts": {"buy": decimal_string(amounts["buy"]), "sell": decimal_string(amounts["sell"])},
        "amountsNextLevel": {
            "buy": _plain(following.max_buy if following else Decimal(0)),
            "sell": _plain(following.max_sell if following else Decimal(0)),
        },
        "links": _links(view),
        "phone": {
            "required": view.step_required("phone"),
            "number": f"+{user.phone}" if user.phone else None,
            "isVerified": bool(phone_item and phone_item.status == ItemStatus.ACCEPTED),
        },
    }


def _plain(value: Decimal) -> str:
    """`"5000"` rather than `"5000.00"` for whole maxima, as the reference shows them."""
    return decimal_string(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def _personal(view: KycView) -> dict:
    item, user = view.items.get(ItemKind.PERSONAL), view.user
    return {
        "required": view.step_required("personal"),
        "status": _status(item),
        **_field_reasons(view, item),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "dateOfBirth": _unix(user.date_of_birth),
    }


def _address_values(user) -> dict:
    return {"country": user.country or None, "city": user.city, "zip": user.zip_code or None, "street": user.street}


def _documents(view: KycView) -> dict:
    return {kind: _document(view, view.items.get(kind)) for kind in rules.DOCUMENT_ITEMS_ORDER}


def kyc_summary(*, user, items: list | None = None) -> dict:
    """The `kyc` part of the profile, in the reference's shape (User Profile); `items` as for kyc_view."""
    reads = kyc_reads(user=user)
    view = kyc_view(user=user, levels=reads.levels, items=items)
    address, edd = view.items.get(ItemKind.ADDRESS), view.items.get(ItemKind.EDD)
    edd_values = _edd_values(edd)
    return {
        **_head(view, reads.amounts),
        "personal": _personal(view),
        "address": {
            "required": view.step_required("address"),
            "emailSent": False,
            "status": _status(address),
            **_field_reasons(view, address),
            **_address_values(user),
        },
        "documents": {
            "required": view.step_required("documents"),
            "emailSent": False,
            **_documents(view),
            "extendedProofOfFunds": [_document(view, p) for p in view.proofs],
            "tempFiles": [],
        },
        "video": _video(view),
        "enhancedDueDiligence": {
            "required": view.step_required("enhancedDueDiligence"),
            "emailSent": False,
            "status": _edd_status(edd),
            **_field_reasons(view, edd),
            "eddData": EDD_CHOICES,
            **edd_values,
            "createdAt": _unix(edd.submitted_at) if edd and edd.submitted_at else None,
        },
        "createdAt": _unix(user.created_at),
    }


def kyc_detail(*, user) -> dict:
    """The object the KYC endpoints answer (KYC Show)."""
    reads = kyc_reads(user=user)
    view = kyc_view(user=user, levels=reads.levels)
    address, edd = view.items.get(ItemKind.ADDRESS), view.items.get(ItemKind.EDD)
    values = _edd_values(edd)
    video = _video(view)
    return {
        **_head(view, reads.amounts),
        "personal": _personal(view),
        "address": {
            "required": view.step_required("address"),
            "status": _status(address),
            **_field_reasons(view, address),
            **_address_values(user),
        },
        "documents": {
            "required": view.step_required("documents"),
            **_documents(view),
            "extendedProofOfFunds": [_document(view, p) for p in view.proofs],
        },
        "video": {key: video[key] for key in video},
        "enhancedDueDiligence": {
            "required": view.step_required("enhancedDueDiligence"),
            "status": _edd_status(edd),
            **_field_reasons(view, edd),
            "transactionsPurpose": values["transactionsPurpose"],
            "transactionsPurposeOther": values["transactionsPurposeOther"],
            "transactionsNatureValueField": _range("transactionsNatureValue", values["transactionsNatureValue"]),
            "transactionsNatureFrequencyField": _range(
                "transactionsNatureFrequency", values["transactionsNatureFrequency"]
            ),
            "fundsSource": values["fundsSource"],
            "fundsSourceOther": values["fundsSourceOther"],
            "fundsSourceFile": values["fundsSourceFile"],
            "fundsOrigin": values["fundsOrigin"],
            "fundsOriginOther": values["fundsOriginOther"],
            "fundsOriginFile": values["fundsOriginFile"],
            "createdAt": _unix(edd.submitted_at) if edd and edd.submitted_at else None,
        },
        "createdAt": _unix(user.created_at),
    }


# --- Back office -----------------------------------------------------------------------------------


def review_queue():
    """Users with items awaiting review, oldest submission first."""
    from .models import KycReview

    return (
        KycReview.objects.annotate(
            pending_items=Count("kyc_items", filter=Q(kyc_items__status=ItemStatus.PENDING)),
            oldest_pending=Min("kyc_items__submitted_at", filter=Q(kyc_items__status=ItemStatus.PENDING)),
        )
        .filter(pending_items__gt=0)
        .order_by("oldest_pending")
    )


def video_calls_upcoming():
    return VideoCall.objects.filter(status=VideoCall.Status.SCHEDULED).select_related("user", "staff")


# --- Portal ----------------------------------------------------------------------------------------


def video_slots_available(*, now=None, days: int = 14, limit: int = 60) -> list[datetime]:
    """Start times (UTC) in the next `days` at which some staff member is available for a whole video slot and
    has no call then: what `services.video_schedule` would accept. Slots start at each availability window's
    start and follow each other every KYC_VIDEO_SLOT_MINUTES."""
    now = now or timezone.now()
    slot = timedelta(minutes=settings.KYC_VIDEO_SLOT_MINUTES)
    until = now + timedelta(days=days)
    windows = StaffAvailability.objects.filter(
        ends_at__gt=now, starts_at__lt=until, staff__is_active=True, staff__is_staff=True
    ).order_by("starts_at")
    busy: dict = {}
    for staff_id, at in VideoCall.objects.filter(
        status=VideoCall.Status.SCHEDULED, scheduled_at__gt=now - slot, scheduled_at__lt=until + slot
    ).values_list("staff_id", "scheduled_at"):
        busy.setdefault(staff_id, []).append(at)
    free = set()
    for window in windows:
        start = window.starts_at
        while start + slot <= window.ends_at and start < until:
            taken = any(abs(start - at) < slot for at in busy.get(window.staff_id, ()))
            if start >= now and not taken:
                free.add(start)
            start += slot
    return sorted(free)[:limit]
