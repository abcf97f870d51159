"""Query budgets: an endpoint's SQL query count must not grow with the rows it shows (no N+1) and must stay
within a stated budget. `assert_query_budget` is the reusable helper; `BUDGETS` lists every list and detail
endpoint with how to grow its rows — each issue adds its own with `@query_budget(...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(call: Callable[[], object]) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries], result


def assert_query_budget(
    *, request: Callable[[], object], grow_to: Callable[[int], None], budget: int, sizes=(1, 200)
) -> dict[int, int]:
    """Grow the data to each size, call `request` and count its queries: equal for every size, <= budget."""
    counts: dict[int, int] = {}
    sqls: dict[int, list[str]] = {}
    for size in sizes:
        grow_to(size)
        request()  # warm up: per-request bookkeeping (e.g. a token's lastUsedAt) is written at most once
        counts[size], sqls[size], response = count_queries(request)
        assert response.status_code == 200, response.content
    first, last = sizes[0], sizes[-1]
    assert counts[first] == counts[last], (
        f"{counts[first]} queries with {first} row(s), {counts[last]} with {last}: N+1?\n" + "\n".join(sqls[last])
    )
    assert counts[last] <= budget, f"{counts[last]} queries, budget {budget}:\n" + "\n".join(sqls[last])
    return counts


@dataclass(frozen=True)
class Budget:
    path: str  # with {user}
    budget: int
    # (user, n): make the user own at least n rows of what the endpoint shows; for a detail endpoint, return the
    # other path values ({"bank": id}) naming one of them, else None.
    grow: Callable
    why: str


BUDGETS: list[Budget] = []


def query_budget(path: str, *, budget: int, why: str):
    def register(grow):
        BUDGETS.append(Budget(path=path, budget=budget, grow=grow, why=why))
        return grow

    return register


# --- accounts ----------------------------------------------------------------------------------


@query_budget(
    "/api/v1/user/{user}/securities",
    budget=2,
    why="token lookup with its user, the log page (the once-a-minute lastUsedAt write is warmed up)",
)
def _security_events(user, n):
    from accounts.models import SecurityEvent

    missing = n - SecurityEvent.objects.filter(user=user).count()
    SecurityEvent.objects.bulk_create(
        SecurityEvent(user=user, code=SecurityEvent.Code.LOGIN_SUCCESS, ip="127.0.0.1") for _ in range(missing)
    )


@query_budget("/api/v1/user/{user}/securities/access", budget=2, why="token lookup with its user, the token list")
def _access_tokens(user, n):
    from accounts.models import AccessToken
    from accounts.services import access_token_create

    for _ in range(n - AccessToken.objects.filter(user=user).count()):
        access_token_create(user=user)


@query_budget(
    "/api/v1/user/{user}",
    budget=5,
    why="token lookup with its user, wallets+cards+banks+external platforms in one statement (2 today); the rest is"
    " the KYC summary's allowance",
)
def _profile_rows(user, n):
    from platforms.models import Platform, PlatformUserLink

    have = PlatformUserLink.objects.filter(user=user).count()
    platforms = Platform.objects.bulk_create(
        Platform(code=f"QB{user.pk.hex[:8]}{i}", name=f"Partner {i}", base_url="https://partner.example/")
        for i in range(have, n)
    )
    PlatformUserLink.objects.bulk_create(PlatformUserLink(platform=p, user=user) for p in platforms)


# --- banks, cards, wallets (issue 5) -----------------------------------------------------------


def _grow(model_name: str, make):
    def grow(user, n):
        from accounts import models

        model = getattr(models, model_name)
        have = model.objects.filter(user=user).count()
        for i in range(have, n):
            make(user, i)
        return {model_name.lower(): model.objects.filter(user=user).order_by("created_at").first().pk}

    return grow


def _register_instruments():
    from .registry import make_bank, make_card, make_wallet

    for name, make in (("Bank", make_bank), ("Card", make_card), ("Wallet", make_wallet)):
        slug = name.lower()
        grow = _grow(name, make)
        query_budget(f"/api/v1/user/{{user}}/{slug}", budget=2, why=f"token lookup with its user, the {slug} page")(
            grow
        )
        query_budget(f"/api/v1/user/{{user}}/{slug}/{{{slug}}}", budget=2, why=f"token lookup, the {slug}")(grow)


_register_instruments()


# --- notifications ------------------------------------------------------------------------------


def _notifications(user, n):
    from notifications.models import Notification

    from .registry import make_notification

    for _ in range(n - Notification.objects.filter(user=user).count()):
        make_notification(user)
    return {"notification_id": Notification.objects.filter(user=user).order_by("created_at").first().pk}


for _path in ("temporary", "temporary/{notification_id}"):
    query_budget(f"/api/v1/user/{{user}}/notifications/{_path}", budget=3, why="token lookup, page, count")(
        _notifications
    )
query_budget(
    "/api/v1/user/{user}/notifications/permanently",
    budget=4,
    why="token lookup, unread count, the instrument conditions (one query), the quote/order conditions (one query)",
)(_notifications)


# --- markets and pricing (issue 6) -------------------------------------------------------------


def _market_rows(values: dict):
    """CCPRO's default configuration, fresh rates, and n ETH snapshots over the last day (the history rows)."""

    def grow(user, n):
        import time
        from decimal import Decimal

        from platforms.services import default_platform
        from trading.models import Asset, OperationConfig, RateSnapshot
        from trading.services import operations_enable_defaults, rates_poll

        if not OperationConfig.objects.exists():
            operations_enable_defaults(platform=default_platform())
        now = int(time.time())
        rates_poll(now=now)
        eth = Asset.objects.get(symbol="ETH")
        have = RateSnapshot.objects.filter(asset=eth).count()
        RateSnapshot.objects.bulk_create(
            (
                RateSnapshot(asset=eth, price=Decimal(100 + i), source="t", ts=now - 60 - 400 * i)
                for i in range(have, n)
            ),
            ignore_conflicts=True,
        )
        return values

    return grow


for _path, _values in (
    ("currencies", {}),
    ("currencies/{asset}", {}),
    ("currencies/{asset}/history/{period}", {}),
    ("price/buy/{from_symbol}/{to_symbol}", {"from_symbol": "EUR", "to_symbol": "ETH"}),
    ("price/sell/{from_symbol}/{to_symbol}", {"from_symbol": "ETH", "to_symbol": "EUR"}),
    ("price/withdraw/{from_symbol}/{to_symbol}", {"from_symbol": "ETH", "to_symbol": "ETH"}),
    ("price/withdraw-ico/{from_symbol}/{to_symbol}", {"from_symbol": "IPSX", "to_symbol": "IPSX"}),
):
    query_budget(
        f"/api/v1/user/{{user}}/{_path}",
        budget=3,
        why="token lookup; configuration, the user's platform, current rates and history summaries are cached",
    )(_market_rows(_values))


# --- KYC (issue 7) -----------------------------------------------------------------------------


@query_budget(
    "/api/v1/user/{user}/kyc",
    budget=4,
    why="token lookup with its user, the user's KYC items, the rejection messages, the period's approved orders "
    "(`amounts`); levels and platform cached",
)
def _kyc_items(user, n):
    from kyc.models import ItemKind, KycItem

    from ..kyc.conftest import set_item

    if not KycItem.objects.filter(user=user, kind=ItemKind.PERSONAL).exists():
        set_item(user, ItemKind.PERSONAL, "REJECTED", reasons={"firstName": "incorrect_data"})
    have = KycItem.objects.filter(user=user, kind=ItemKind.EXTENDED_PROOF_OF_FUNDS).count()
    KycItem.objects.bulk_create(
        KycItem(user=user, kind=ItemKind.EXTENDED_PROOF_OF_FUNDS, status="PENDING") for _ in range(have, n)
    )


# --- transfers (issue 9) -------------------------------------------------------------------------


def _transfers(user, n):
    """n transfers the user pays (created by them) and n paid to them (created by another user)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from trading.models import Asset
    from trading.transfer_models import Transfer

    from ..factories import UserFactory

    have = Transfer.objects.filter(from_user=user).count()
    if have < n:
        eth, other, now = Asset.objects.get(symbol="ETH"), UserFactory(), timezone.now()
        common = {
            "asset": eth,
            "amount": Decimal(1),
            "commission": Decimal("0.01"),
            "commission_percent": Decimal(1),
            "total": Decimal("0.99"),
            "life_seconds": 180,
            "life_until_at": now + timedelta(seconds=180),
        }
        Transfer.objects.bulk_create(
            [Transfer(action="send", by_user=user, from_user=user, to_user=other, **common) for _ in range(have, n)]
            + [Transfer(action="send", by_user=other, from_user=other, to_user=user, **common) for _ in range(have, n)]
        )
    return {"transfer": Transfer.objects.filter(from_user=user).first().pk}


for _suffix in ("", "/by", "/from", "/to"):
    query_budget(
        f"/api/v1/user/{{user}}/transfer{_suffix}",
        budget=3,
        why="token lookup with its user, the count, the page with asset, parties and platform joined",
    )(_transfers)
query_budget(
    "/api/v1/user/{user}/transfer/{transfer}",
    budget=2,
    why="token lookup with its user, the transfer with asset, parties and platform joined",
)(_transfers)


# --- quotes, orders, balances (issue 8) -------------------------------------------------------------


def _quotes(user, n):
    from trading.order_models import Quote

    from .registry import make_quote

    for _ in range(n - Quote.objects.filter(user=user).count()):
        make_quote(user)
    return {"quote": Quote.objects.filter(user=user).order_by("created_at").first().pk}


def _orders(kind):
    def grow(user, n):
        from trading.models import Asset
        from trading.order_models import Order

        from .registry import make_order, make_quote

        ipsx = Asset.objects.get(symbol="IPSX")
        have = Order.objects.filter(user=user).count()
        for i in range(have, n):
            if kind == "token" or (kind is None and i % 2):
                make_order(user, type="token", asset=ipsx, to_asset=ipsx)
            else:
                make_order(user, quote=make_quote(user, status="completed"))
        return {"order": Order.objects.filter(user=user).order_by("created_at").first().pk}

    return grow


def _balances(user, n):
    from decimal import Decimal

    from tests.orders.conftest import fund

    from .registry import make_order

    _market_rows({})(user, 1)
    fund(user, "ETH", Decimal(n), key=f"budget:{user.pk}:{n}")
    make_order(user)


query_budget("/api/v1/user/{user}/quote", budget=4, why="token lookup, count, the page with assets, wallet, platform")(
    _quotes
)
query_budget("/api/v1/user/{user}/quote/{quote}", budget=3, why="token lookup, the quote with its relations")(_quotes)
for _path, _kind in (("order", None), ("order/coin", "coin"), ("order/token", "token")):
    query_budget(
        f"/api/v1/user/{{user}}/{_path}",
        budget=3,
        why="token lookup, count (unless cached for the user's orders version), the page with the parent's, child's "
        "and quote's public ids as scalar subqueries (assets and platforms from a per-process copy)",
    )(_orders(_kind))
query_budget("/api/v1/user/{user}/order/{order}", budget=4, why="token lookup, the order with its quote, child orders")(
    _orders(None)
)
for _path in ("balances", "balances/{asset}"):
    query_budget(
        f"/api/v1/user/{{user}}/{_path}",
        budget=6,
        why="token lookup, assets, the user's ledger accounts, the fiat's decimals; rates and summaries cached",
    )(_balances)


# --- checkouts (issue 10, checkout widget) -------------------------------------------------------


def _checkouts(user, n):
    from platforms.checkout_models import Checkout

    from .registry import make_checkout

    for _ in range(n - Checkout.objects.filter(user=user).count()):
        make_checkout(user)
    return {"checkout": str(Checkout.objects.filter(user=user).values_list("pk", flat=True).first())}


query_budget("/api/v1/user/{user}/checkout", budget=3, why="token lookup, count, the page with user and platform")(
    _checkouts
)
query_budget(
    "/api/v1/user/{user}/checkout/{checkout}", budget=2, why="token lookup, the checkout with user and platform"
)(_checkouts)


# --- platform endpoints (issue 10): platform/{platform}/…, authenticated by the platform's JWT ----------------


@dataclass(frozen=True)
class PlatformBudget:
    path: str  # with {platform}
    budget: int
    grow: Callable  # (platform, n): make the platform have at least n rows of what the endpoint lists
    why: str


PLATFORM_BUDGETS: list[PlatformBudget] = []


def platform_query_budget(path: str, *, budget: int, why: str):
    def register(grow):
        PLATFORM_BUDGETS.append(PlatformBudget(path=path, budget=budget, grow=grow, why=why))
        return grow

    return register


def linked_users(platform, n: int) -> list:
    """At least n users linked to the platform (each a distinct user, so a per-row user lookup would show), oldest
    first."""
    from accounts.models import User
    from platforms.models import PlatformUserLink

    from ..factories import UserFactory

    have = PlatformUserLink.objects.filter(platform=platform).count()
    if have < n:
        users = User.objects.bulk_create(UserFactory.build_batch(n - have))
        PlatformUserLink.objects.bulk_create(
            PlatformUserLink(platform=platform, user=user, external_user_id=f"ext-{user.pk.hex[:12]}", email=user.email)
            for user in users
        )
    return [link.user for link in PlatformUserLink.objects.filter(platform=platform).select_related("user")[:n]]


def _per_linked_user(count, make):
    """grow(platform, n): one row per linked user until the platform has n (`count(platform)` says how many)."""

    def grow(platform, n):
        users = linked_users(platform, n)
        for user in users[count(platform) :]:
            make(platform, user)

    return grow


@platform_query_budget(
    "/api/v1/platform/{platform}",
    budget=3,
    why="the platform and its valid keys (token check), its payment methods; KYC levels, market configuration and"
    " rates cached — its users and staff are not read",
)
def _platform_show(platform, n):
    linked_users(platform, n)


@platform_query_budget(
    "/api/v1/platform/{platform}/staff", budget=4, why="token check (platform, keys), count, the page with users"
)
def _platform_staff(platform, n):
    from platforms.models import PlatformStaff

    have = PlatformStaff.objects.filter(platform=platform).count()
    PlatformStaff.objects.bulk_create(
        PlatformStaff(platform=platform, user=user) for user in linked_users(platform, n)[have:]
    )


platform_query_budget(
    "/api/v1/platform/{platform}/user",
    budget=4,
    why="token check (platform, keys), count, the page of links with users",
)(linked_users)


def _platform_orders(platform, n):
    from trading.order_models import Order

    from .registry import make_order, make_quote

    def count(p):
        return Order.objects.filter(user__platform_links__platform=p).count()

    def make(p, user):
        make_order(user, quote=make_quote(user, status="completed"), platform=p)

    _per_linked_user(count, make)(platform, n)


platform_query_budget(
    "/api/v1/platform/{platform}/order",
    budget=6,
    why="token check (platform, keys), count, the page's ids, the page with assets/quote/parent/platform/user, "
    "prefetched children",
)(_platform_orders)


def _platform_quotes(platform, n):
    from trading.order_models import Quote

    from .registry import make_quote

    _per_linked_user(
        lambda p: Quote.objects.filter(user__platform_links__platform=p).count(),
        lambda p, user: make_quote(user, platform=p),
    )(platform, n)


platform_query_budget(
    "/api/v1/platform/{platform}/quote",
    budget=5,
    why="token check (platform, keys), count, the page's ids, the page with assets, wallet, platform and user",
)(_platform_quotes)


def _platform_checkouts(platform, n):
    from platforms.checkout_models import Checkout

    from .registry import make_checkout

    _per_linked_user(
        lambda p: Checkout.objects.filter(platform=p).count(), lambda p, user: make_checkout(user, platform=p)
    )(platform, n)


platform_query_budget(
    "/api/v1/platform/{platform}/checkout",
    budget=4,
    why="token check (platform, keys), count, the page with user and platform",
)(_platform_checkouts)


def _platform_transfers(platform, n):
    """n transfers created by the platform's users, each to a user of no platform."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from trading.models import Asset
    from trading.transfer_models import Transfer

    from ..factories import UserFactory

    def count(p):
        return Transfer.objects.filter(by_user__platform_links__platform=p).count()

    def make(p, user):
        now = timezone.now()
        Transfer.objects.create(
            action="send",
            by_user=user,
            from_user=user,
            to_user=UserFactory(),
            platform=p,
            asset=Asset.objects.get(symbol="ETH"),
            amount=Decimal(1),
            commission=Decimal("0.01"),
            commission_percent=Decimal(1),
            total=Decimal("0.99"),
            life_seconds=180,
            life_until_at=now + timedelta(seconds=180),
        )

    _per_linked_user(count, make)(platform, n)


platform_query_budget(
    "/api/v1/platform/{platform}/transfer",
    budget=4,
    why="token check (platform, keys), count, the page with asset, parties and platform joined",
)(_platform_transfers)


@platform_query_budget(
    "/api/v1/platform/{platform}/call", budget=4, why="token check (platform, keys), count, the page of calls"
)
def _platform_calls(platform, n):
    from platforms.models import IenCall

    have = IenCall.objects.filter(platform=platform).count()
    IenCall.objects.bulk_create(
        IenCall(platform=platform, endpoint="https://shop.example/ien", request="{}", status="200", response="ok")
        for _ in range(have, n)
    )
