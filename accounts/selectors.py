from collections.abc import Callable
from functools import lru_cache

import phonenumbers
import pycountry
from django.db import connections, router
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ccpro import errors
from ccpro.db import ModelColumns, fetch, fetch_one

from .models import AccessToken, Bank, Card, InstrumentStatus, SecurityEvent, User, Wallet

SECURITY_LOG_LIMIT = 100


def security_event_list(*, user: User):
    """The newest entries of the user's security log."""
    return SecurityEvent.objects.filter(user=user).order_by("-created_at", "-id")[:SECURITY_LOG_LIMIT]


_TOKEN_COLUMNS = ModelColumns(AccessToken, "t")
_TOKEN_USER_COLUMNS = ModelColumns(User, "u")
_token_lookup_sql: dict[str, str] = {}


def access_token_live(*, token_hash: str, now) -> AccessToken | None:
    """The live (not revoked, not expired) token with this hash, its user loaded, in one fixed statement.

    This runs on every authenticated request: the SQL is built once per backend, not compiled by the ORM
    each time (ccpro/db.py), and the instances are loaded with every column as `select_related` would."""
    using = router.db_for_read(AccessToken)
    connection = connections[using]
    sql = _token_lookup_sql.get(connection.vendor)
    if sql is None:
        token, user = _TOKEN_COLUMNS, _TOKEN_USER_COLUMNS
        # Identifiers come from the models' _meta (quoted by the backend); the values are parameters.
        sql = (
            f"SELECT {token.select_list(connection)}, {user.select_list(connection)}"  # noqa: S608
            f" FROM {token.table(connection)} INNER JOIN {user.table(connection)}"
            f" ON {token.column(connection, 'user')} = {user.column(connection, 'id')}"
            f" WHERE {token.column(connection, 'token_hash')} = %s AND {token.column(connection, 'revoked_at')} IS NULL"
            f" AND {token.column(connection, 'expires_at')} > %s"
        )
        _token_lookup_sql[connection.vendor] = sql
    expires_at = AccessToken._meta.get_field("expires_at")
    row = fetch_one(using, sql, [token_hash, expires_at.get_db_prep_value(now, connection)])
    if row is None:
        return None
    split = len(_TOKEN_COLUMNS)
    token = _TOKEN_COLUMNS.instance(connection, row[:split])
    token.user = _TOKEN_USER_COLUMNS.instance(connection, row[split:])
    return token


def access_token_list(*, user: User):
    """The user's live tokens, newest first."""
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-created_at"
    )


@lru_cache(maxsize=1)
def country_list() -> tuple[dict, ...]:
    """ISO 3166-1 countries (pycountry) with their international dialling code (phonenumbers), by name."""
    countries = []
    for country in pycountry.countries:
        countries.append(
            {
                "code": country.alpha_2,
                "name": getattr(country, "common_name", None) or country.name,
                "phoneCode": phonenumbers.country_code_for_region(country.alpha_2),
            }
        )
    return tuple(sorted(countries, key=lambda c: c["name"]))


def country_codes() -> frozenset[str]:
    return frozenset(c["code"] for c in country_list())


# --- Banks, cards and wallets (issue 5) ----------------------------------------------------------
# Always scoped to the owner and to instruments not deleted; another user's id is simply not found.


def _status_filter(qs, status: str | None):
    return qs.filter(status=status.upper()) if status else qs


def bank_list(*, user: User, status: str | None = None, currency: str | None = None):
    qs = _status_filter(Bank.objects.filter(user=user, deleted_at__isnull=True), status)
    if currency:
        qs = qs.filter(currency=currency.upper())
    return qs.order_by("-created_at", "id")


def bank_get(*, user: User, bank_id) -> Bank:
    bank = Bank.objects.filter(user=user, pk=bank_id, deleted_at__isnull=True).first()
    if bank is None:
        raise errors.NotFound()
    return bank


def card_list(*, user: User, status: str | None = None):
    return _status_filter(Card.objects.filter(user=user, deleted_at__isnull=True), status).order_by("-created_at", "id")


def card_get(*, user: User, card_id) -> Card:
    card = Card.objects.filter(user=user, pk=card_id, deleted_at__isnull=True).first()
    if card is None:
        raise errors.NotFound()
    return card


def wallet_list(*, user: User, status: str | None = None, coin: str | None = None):
    qs = _status_filter(Wallet.objects.filter(user=user, deleted_at__isnull=True), status)
    if coin:
        qs = qs.filter(asset__symbol=coin.upper())
    return qs.select_related("asset").order_by("-created_at", "id")


def wallet_get(*, user: User, wallet_id) -> Wallet:
    wallet = Wallet.objects.select_related("asset").filter(user=user, pk=wallet_id, deleted_at__isnull=True).first()
    if wallet is None:
        raise errors.NotFound()
    return wallet


def instrument_usable_kinds(*, user: User) -> frozenset[str]:
    """Which of `wallet`, `card`, `bank` the user has a confirmed one of, in one query."""
    usable = {
        kind: Exists(
            model.objects.filter(user=OuterRef("pk"), deleted_at__isnull=True, status=InstrumentStatus.CONFIRMED)
        )
        for kind, model in (("wallet", Wallet), ("card", Card), ("bank", Bank))
    }
    row = User.objects.filter(pk=user.pk).annotate(**usable).values(*usable).first() or {}
    return frozenset(kind for kind, present in row.items() if present)


def instrument_usable_exists(*, user: User, kind: str) -> bool:
    """Whether the user has a confirmed `wallet`, `card` or `bank` (permanent `*_unavailable` notifications)."""
    model = {"wallet": Wallet, "card": Card, "bank": Bank}[kind]
    return model.objects.filter(user=user, deleted_at__isnull=True, status=InstrumentStatus.CONFIRMED).exists()


# Whether a bank or card has been used by a quote or an order. No quotes or orders exist yet: the quotes
# and orders issue (ledger, quotes and orders) registers its check here from its AppConfig.ready(), e.g.
# `instrument_usage_check_register(lambda instrument: Order.objects.filter(bank=instrument).exists() ...)`,
# so accounts never imports trading's models. Until then no instrument is used.
_usage_checks: list[Callable[[Bank | Card], bool]] = []


def instrument_usage_check_register(check: Callable[[Bank | Card], bool]) -> None:
    if check not in _usage_checks:
        _usage_checks.append(check)


def instrument_usage_check_unregister(check: Callable[[Bank | Card], bool]) -> None:
    if check in _usage_checks:
        _usage_checks.remove(check)


def instrument_is_used(*, instrument: Bank | Card) -> bool:
    return any(check(instrument) for check in _usage_checks)


def user_self_delete_pending(*, user: User) -> bool:
    """Whether the user asked to close the account and the grace period is running."""
    return user.self_deleted_at is not None and user.closed_at is None


# --- The profile (GET user/{user}) ---------------------------------------------------------------
# The body is built here as plain data: the nested output serializers (accounts/apis.py UserProfileOutput,
# which documents the shape) cost several times the queries on the busiest authenticated read. Wallets,
# cards, banks, external platforms and the KYC summary's items come back in one UNION ALL statement built
# once per backend (each branch fills its own columns, the others are typed NULLs), instead of five queries.


def _unix(value) -> int | None:
    return None if value is None else int(value.timestamp())


def _profile_branches():
    from kyc.selectors import ITEM_COLUMNS as kyc_item
    from platforms.models import Platform, PlatformUserLink
    from trading.models import Asset

    wallet = ModelColumns(Wallet, "w", ("id", "status", "alias", "address", "created_at"))
    asset = ModelColumns(Asset, "a", ("symbol",))
    card = ModelColumns(
        Card,
        "c",
        (
            "id",
            "status",
            "alias",
            "holder_name",
            "expiration_month",
            "expiration_year",
            "last_four_digits",
            "image_front",
            "image_holding",
            "created_at",
        ),
    )
    bank = ModelColumns(Bank, "b", ("id", "status", "bank_name", "iban", "swift", "currency", "created_at"))
    link = ModelColumns(PlatformUserLink, "l", ("active", "created_at"))
    platform = ModelColumns(Platform, "p", ("code", "name", "active", "base_url"))
    # (kind, column groups, FROM clause, WHERE clause), the WHERE taking the user id as its one parameter.
    return [
        (
            "wallet",
            (wallet, asset),
            lambda c: (
                f"{wallet.table(c)} INNER JOIN {asset.table(c)}"
                f" ON {wallet.column(c, 'asset')} = {asset.column(c, 'id')}"
            ),
            lambda c: f"{wallet.column(c, 'user')} = %s AND {wallet.column(c, 'deleted_at')} IS NULL",
        ),
        (
            "card",
            (card,),
            lambda c: card.table(c),
            lambda c: f"{card.column(c, 'user')} = %s AND {card.column(c, 'deleted_at')} IS NULL",
        ),
        (
            "bank",
            (bank,),
            lambda c: bank.table(c),
            lambda c: f"{bank.column(c, 'user')} = %s AND {bank.column(c, 'deleted_at')} IS NULL",
        ),
        (
            "platform",
            (link, platform),
            lambda c: (
                f"{link.table(c)} INNER JOIN {platform.table(c)}"
                f" ON {link.column(c, 'platform')} = {platform.column(c, 'id')}"
            ),
            lambda c: f"{link.column(c, 'user')} = %s",
        ),
        # The KYC summary's items (every column: loaded as KycItem instances for kyc.selectors).
        (
            "kyc_item",
            (kyc_item,),
            lambda c: kyc_item.table(c),
            lambda c: f"{kyc_item.column(c, 'user')} = %s",
        ),
    ]


_PROFILE_BRANCHES = None
_profile_sql: dict[str, str] = {}


def _profile_statement(connection):
    global _PROFILE_BRANCHES
    if _PROFILE_BRANCHES is None:
        _PROFILE_BRANCHES = _profile_branches()
    sql = _profile_sql.get(connection.vendor)
    if sql is None:
        groups = [group for _, kind_groups, _, _ in _PROFILE_BRANCHES for group in kind_groups]
        selects = []
        for index, (_kind, kind_groups, from_, where) in enumerate(_PROFILE_BRANCHES):
            columns = [f"{index} AS kind"]
            for group in groups:
                if group in kind_groups:
                    columns.append(group.select_list(connection))
                elif index == 0:
                    columns.extend(f"CAST(NULL AS {field.cast_db_type(connection)})" for field in group.fields)
                else:
                    # The first branch types every column (PostgreSQL resolves a UNION's types left to right, an
                    # untyped NULL then takes that type); bare NULLs keep the statement under psycopg's 4 KB limit
                    # for caching its parse of the placeholders.
                    columns.extend("NULL" for _field in group.fields)
            # Identifiers from the models' _meta (quoted by the backend); the user id is a parameter.
            selects.append(f"SELECT {', '.join(columns)} FROM {from_(connection)} WHERE {where(connection)}")  # noqa: S608
        sql = _profile_sql[connection.vendor] = " UNION ALL ".join(selects)
    return _PROFILE_BRANCHES, sql


def _profile_lists(*, user: User) -> dict[str, list[dict]]:
    using = router.db_for_read(Wallet)
    connection = connections[using]
    branches, sql = _profile_statement(connection)
    user_id = Wallet._meta.get_field("user").get_db_prep_value(user.pk, connection)
    rows = fetch(using, sql, [user_id] * len(branches))
    groups = [group for _, kind_groups, _, _ in branches for group in kind_groups]
    offsets, start = {}, 1
    for group in groups:
        offsets[group] = start
        start += len(group)
    found: dict[str, list[list]] = {kind: [] for kind, _, _, _ in branches}
    kyc_items = []
    for row in rows:
        kind, kind_groups, _, _ = branches[row[0]]
        if kind == "kyc_item":
            (group,) = kind_groups
            kyc_items.append(group.instance(connection, row[offsets[group] : offsets[group] + len(group)]))
            continue
        values = []
        for group in kind_groups:
            values.extend(group.values(connection, row[offsets[group] : offsets[group] + len(group)]))
        found[kind].append(values)

    # The instrument lists' order (-created_at, id): two stable sorts.
    wallets = sorted(found["wallet"], key=lambda v: v[0])
    wallets.sort(key=lambda v: v[4], reverse=True)
    cards = sorted(found["card"], key=lambda v: v[0])
    cards.sort(key=lambda v: v[9], reverse=True)
    banks = sorted(found["bank"], key=lambda v: v[0])
    banks.sort(key=lambda v: v[6], reverse=True)
    links = sorted(found["platform"], key=lambda v: v[1])  # the platform links' order: created_at
    kyc_items.sort(key=lambda item: (item.created_at, item.pk))  # kyc.selectors' order
    return {
        "kyc_items": kyc_items,
        "wallets": [
            {
                "id": str(id_),
                "status": str(status),
                "alias": str(alias),
                "address": str(address),
                "coin": str(symbol),
                "createdAt": _unix(created_at),
            }
            for id_, status, alias, address, created_at, symbol in wallets
        ],
        "cards": [
            {
                "id": str(id_),
                "status": str(status),
                "alias": str(alias),
                "holderName": str(holder),
                "expirationDate": f"{month:02d}/{year % 100:02d}",
                "lastFourDigits": str(last4),
                "cardImage1": str(front),
                "cardImage2": str(holding),
                "createdAt": _unix(created_at),
            }
            for id_, status, alias, holder, month, year, last4, front, holding, created_at in cards
        ],
        "banks": [
            {
                "id": str(id_),
                "status": str(status),
                "bankName": str(name),
                "iban": str(iban),
                "swift": str(swift),
                "currency": str(currency),
                "createdAt": _unix(created_at),
            }
            for id_, status, name, iban, swift, currency, created_at in banks
        ],
        "externalPlatforms": [
            {
                "code": str(code),
                "name": str(name),
                "active": bool(link_active and platform_active),
                "url": str(url),
                "createdAt": _unix(created_at),
            }
            for link_active, created_at, code, name, platform_active, url in links
        ],
    }


def user_profile(*, user: User) -> dict:
    """The body of GET user/{user} (shape: accounts/apis.py UserProfileOutput) for the signed-in user, whose row
    the token lookup already loaded: one statement for the four lists and the KYC items, then the KYC summary."""
    from kyc.selectors import kyc_summary

    lists = _profile_lists(user=user)
    return {
        "uuid": str(user.pk),
        "isActive": bool(user.is_active),
        "tradeStatus": bool(user.trade_status),
        "email": str(user.email),
        "options": {"language": str(user.language), "theme": str(user.theme)},
        "meta": {"source": str(user.source), "passwordSet": bool(user.password_set)},
        "selfDeletedAt": _unix(user.self_deleted_at),
        "createdAt": _unix(user.created_at),
        "kyc": kyc_summary(user=user, items=lists["kyc_items"]),
        "wallets": lists["wallets"],
        "cards": lists["cards"],
        "banks": lists["banks"],
        "externalPlatforms": lists["externalPlatforms"],
    }
