"""Reads about platforms. Everything a platform endpoint lists is scoped to that platform here."""

import uuid
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import IenCall, Platform, PlatformKey, PlatformStaff, PlatformUserLink


def ien_listening_user_ids(*, user_ids, platforms=None) -> set:
    """Which of these users `ien_emit_for_user` would send anything for: actively linked to an active partner
    platform (not the house platform) that has an IEN URL. One fixed statement, so that hot paths skip
    building an event payload for users nobody listens to.

    `platforms`: every Platform row as the caller already holds it, current (the market catalogue of the
    configuration version, which any save of a platform bumps); when none of them is a partner that could
    listen, nobody does and no statement runs (most deployments, and every user on such a machine)."""
    from django.db import connections, router

    from .models import DEFAULT_PLATFORM_CODE

    user_ids = list(user_ids)
    if not user_ids:
        return set()
    if platforms is not None and not any(
        platform.active and platform.ien_url and platform.code != DEFAULT_PLATFORM_CODE for platform in platforms
    ):
        return set()
    connection = connections[router.db_for_read(PlatformUserLink)]
    user_field = PlatformUserLink._meta.get_field("user")
    link, platform = PlatformUserLink._meta.db_table, Platform._meta.db_table
    marks = ", ".join(["%s"] * len(user_ids))
    sql = (
        f"SELECT DISTINCT l.user_id FROM {link} l INNER JOIN {platform} p ON p.id = l.platform_id"  # noqa: S608
        f" WHERE l.user_id IN ({marks}) AND l.active = %s AND p.active = %s AND p.ien_url <> '' AND p.code <> %s"
    )
    params = [user_field.get_db_prep_value(pk, connection) for pk in user_ids] + [True, True, DEFAULT_PLATFORM_CODE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0] for row in cursor.fetchall()}
    return {pk for pk in user_ids if user_field.get_db_prep_value(pk, connection) in found}


def platform_get_active(*, platform_id) -> Platform | None:
    try:
        return Platform.objects.filter(pk=uuid.UUID(str(platform_id)), active=True).first()
    except ValueError:
        return None


def platform_links_for_user(*, user):
    return PlatformUserLink.objects.filter(user=user).select_related("platform").order_by("created_at")


def platform_keys_valid(*, platform: Platform, now=None) -> list[PlatformKey]:
    """The platform's RSA public keys a JWT may be signed with now: the current one and rotated ones still in
    their grace period, newest first."""
    now = now or timezone.now()
    return list(platform.keys.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).order_by("-created_at"))


def platform_link_for_user(*, platform: Platform, user_id=None, email: str | None = None) -> PlatformUserLink | None:
    """The active link of a CCPro user (by id or email) to `platform`, with the user."""
    links = PlatformUserLink.objects.filter(platform=platform, active=True).select_related("user")
    if user_id is not None:
        try:
            links = links.filter(user_id=uuid.UUID(str(user_id)))
        except ValueError:
            return None
    elif email:
        links = links.filter(user__email__iexact=email.strip())
    else:
        return None
    return links.first()


def _created_between(queryset: QuerySet, *, created_from: int | None, created_to: int | None) -> QuerySet:
    if created_from is not None:
        queryset = queryset.filter(created_at__gte=datetime.fromtimestamp(created_from, tz=UTC))
    if created_to is not None:
        queryset = queryset.filter(created_at__lte=datetime.fromtimestamp(created_to, tz=UTC))
    return queryset


def platform_staff_list(*, platform: Platform, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    staff = PlatformStaff.objects.filter(platform=platform).select_related("user").order_by("created_at", "id")
    if filters.get("role"):
        staff = staff.filter(role=filters["role"])
    return staff


def platform_user_list(*, platform: Platform, filters: dict | None = None) -> QuerySet:
    """The platform's own users (their links), newest first; `email`, `username` and `from`/`to` filter."""
    filters = filters or {}
    links = PlatformUserLink.objects.filter(platform=platform).select_related("user").order_by("-created_at", "-id")
    if filters.get("email"):
        email = filters["email"]
        links = links.filter(Q(email__iexact=email) | Q(user__email__iexact=email))
    if filters.get("username"):
        links = links.filter(username__iexact=filters["username"])
    return _created_between(links, created_from=filters.get("from"), created_to=filters.get("to"))


def platform_call_list(*, platform: Platform, filters: dict | None = None) -> QuerySet:
    """The platform's logged instant event notification attempts, newest first."""
    filters = filters or {}
    calls = IenCall.objects.filter(platform=platform).order_by("-created_at", "-id")
    if filters.get("status"):
        calls = calls.filter(status=filters["status"])
    return _created_between(calls, created_from=filters.get("from"), created_to=filters.get("to"))


# --- Platform Show -------------------------------------------------------------------------------


def platform_payment_methods(*, platform: Platform) -> dict[str, list]:
    """{"bank": [...], "card": [...]}: the platform's payment methods (trading.PaymentMethod) with limits."""
    from trading.models import PaymentMethod

    methods: dict[str, list] = {kind: [] for kind in PaymentMethod.Kind.values}
    for method in PaymentMethod.objects.filter(platform=platform).select_related("fiat").order_by("kind", "name"):
        methods[method.kind].append(method)
    return methods


def platform_currencies(*, platform: Platform, now: int | None = None) -> dict:
    """{"coins", "tokens", "fiats"} the platform offers, as trading's Currency Index builds them for its users
    (same cached configuration, same freshness rule for rate-priced operations)."""
    from trading.selectors import currency_groups

    return currency_groups(platform_id=platform.pk, now=now)


def platform_levels(*, platform: Platform) -> list[dict]:
    """The platform's KYC levels as Platform Show lists them (the KYC app's `level_list`: the platform's own, else
    CCPRO's), the maxima as decimal strings."""
    from ccpro.api.fields import decimal_string
    from kyc.selectors import level_list

    return [
        {
            "level": str(level.number),
            "name": level.name,
            "required": list(level.required),
            "max": {
                "buy": decimal_string(level.max_buy.normalize()),
                "sell": decimal_string(level.max_sell.normalize()),
            },
        }
        for level in level_list(platform_id=platform.pk)
    ]
