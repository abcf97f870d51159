"""What the profile's KYC summary caches (docs/performance.md, session 2) never shows anything but the truth.

- the period amounts: sums per user cached under a version that approving one of the user's orders replaces
  (in the approving transaction and again after its commit), valued at the current rates on every read, and
  summed again once the period has moved past the oldest order they counted; limit decisions never read them;
- the levels kept in the process under the cache's version: a level change, or a cache flush, is seen at once;
- the platform's reference period and fiat, part of the market configuration (a platform edit bumps it);
- the signed links, handed out again for a tenth of their lifetime: still valid, new for another theme.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ccpro.api.fields import decimal_string
from kyc import links
from kyc import selectors as kyc_selectors
from kyc.models import KycLevel
from platforms.models import Platform
from platforms.services import default_platform
from tests.factories import UserFactory
from tests.trading.conftest import set_rates
from trading import orders
from trading.order_models import Order

from ..orders.conftest import market  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kyc_approval_gate_off(monkeypatch):
    """These users are at KYC level 0: staff approval's `kycLevelRequired` gate is tested in tests/orders."""
    monkeypatch.setattr("trading.orders._kyc_level_reached_check", lambda order: None)


def _profile(api, user) -> dict:
    response = api.get(f"/api/v1/user/{user.pk}")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def _shown(api, user) -> dict:
    return _profile(api, user)["kyc"]["amounts"]


def _exact(user) -> dict:
    return {side: decimal_string(value) for side, value in kyc_selectors.period_amounts(user=user).items()}


def _deposit(api, user, amount: str, tx: str) -> str:
    body = {"type": "coin", "symbol": "ETH", "amount": amount, "txID": tx}
    response = api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["id"]


def _staff():
    return UserFactory(is_staff=True)


def test_shown_period_amounts_follow_approvals_and_rates(market, user, user_api):  # noqa: F811
    assert _shown(user_api, user) == {"buy": "0", "sell": "0"} == _exact(user)
    claimed = _deposit(user_api, user, "2", "0xcache1")
    assert _shown(user_api, user) == _exact(user) == {"buy": "0", "sell": "0"}  # a claim is not a purchase

    orders.order_approve(order_id=claimed, staff=_staff())
    assert _shown(user_api, user) == _exact(user)
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal("320.32")  # 2 ETH at 160.16 EUR

    # Warm: the sums come from the cache (the token, then the lists with the KYC items: no order query).
    with CaptureQueriesContext(connection) as warm:
        _profile(user_api, user)
    assert not [q for q in warm.captured_queries if "trading_order" in q["sql"]]
    assert len(warm) == 2, [q["sql"][:80] for q in warm.captured_queries]

    # Valued at the current rate on every read.
    set_rates({"ETH": "200"})
    assert _shown(user_api, user) == _exact(user)
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal(400)

    # Another approval, by staff or by the system (a crypto exchange fills at once): counted at once.
    second = _deposit(user_api, user, "0.5", "0xcache2")
    orders.order_approve(order_id=second, staff=_staff())
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal(500)
    assert _shown(user_api, user) == _exact(user)


def test_an_order_leaving_the_period_is_no_longer_shown(market, user, user_api, monkeypatch):  # noqa: F811
    now = timezone.now()
    old = _deposit(user_api, user, "1", "0xcache-old")
    # Created just inside the 30-day period of CCPRO's default reference (one month).
    Order.objects.filter(pk=old).update(created_at=now - timedelta(days=30) + timedelta(minutes=1))
    orders.order_approve(order_id=old, staff=_staff())
    recent = _deposit(user_api, user, "2", "0xcache-recent")
    orders.order_approve(order_id=recent, staff=_staff())
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal("480.48")  # 3 ETH

    monkeypatch.setattr("django.utils.timezone.now", lambda: now + timedelta(minutes=2))
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal("320.32")  # the old one aged out: summed again
    assert _shown(user_api, user) == _exact(user)


def test_an_approval_commit_invalidates_what_a_concurrent_read_cached(
    market,  # noqa: F811
    user,
    user_api,
    django_capture_on_commit_callbacks,
):
    claimed = _deposit(user_api, user, "2", "0xcache-race")
    assert _shown(user_api, user)["buy"] == "0"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        orders.order_approve(order_id=claimed, staff=_staff())
        # What a read on another connection, still seeing the database before the commit, would cache under the
        # version the transaction had just set.
        version_key = kyc_selectors.PERIOD_VERSION_KEY.format(user.pk)
        version = cache.get(version_key)
        stale = (version, timezone.now() - timedelta(days=30), None, [])
        cache.set(kyc_selectors.PERIOD_SUMS_KEY.format(user.pk), stale, 60)
    assert callbacks, "the approval bumps the version again after its commit"
    assert cache.get(version_key) != version
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal("320.32")


def test_limit_decisions_sum_in_the_database(market, user, user_api):  # noqa: F811
    claimed = _deposit(user_api, user, "2", "0xcache-limit")
    orders.order_approve(order_id=claimed, staff=_staff())
    _shown(user_api, user)  # cached now
    with CaptureQueriesContext(connection) as queries:
        assert kyc_selectors.period_amounts(user=user)["buy"] == Decimal("320.32")
    assert [q for q in queries.captured_queries if "trading_order" in q["sql"]]


def test_level_changes_and_cache_flushes_are_seen_at_once(market, user, user_api):  # noqa: F811
    next_level = _profile(user_api, user)["kyc"]["amountsNextLevel"]
    level = KycLevel.objects.filter(platform__code="CCPRO", number=1).get()
    level.max_buy = level.max_buy + 1
    level.save()  # the signal bumps the levels' version
    assert _profile(user_api, user)["kyc"]["amountsNextLevel"]["buy"] != next_level["buy"]
    assert _profile(user_api, user)["kyc"]["amountsNextLevel"]["buy"] == kyc_selectors._plain(level.max_buy)

    # A write that sends no signal, then a cache flush: the process does not keep serving the old levels.
    KycLevel.objects.filter(pk=level.pk).update(max_buy=level.max_buy + 5)
    cache.clear()
    assert _profile(user_api, user)["kyc"]["amountsNextLevel"]["buy"] == kyc_selectors._plain(level.max_buy + 5)


def test_the_platform_reference_comes_from_the_market_configuration(market, user, user_api, monkeypatch):  # noqa: F811
    claimed = _deposit(user_api, user, "1", "0xcache-ref")
    Order.objects.filter(pk=claimed).update(created_at=timezone.now() - timedelta(days=3))
    orders.order_approve(order_id=claimed, staff=_staff())
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal("160.16")

    platform = default_platform()
    platform.reference_period_type = Platform.PeriodType.DAYS
    platform.reference_period_value = 2
    platform.save()  # bumps the market configuration's version
    assert _shown(user_api, user)["buy"] == "0"  # three days ago is outside the last two days
    platform.reference_period_value = 7
    platform.reference_fiat = "USD"
    platform.save()
    assert _shown(user_api, user) == _exact(user)
    assert Decimal(_shown(user_api, user)["buy"]) == Decimal("160.16") / Decimal("0.9")  # USD at 0.9 EUR


def test_links_are_reused_for_a_tenth_of_their_life_and_stay_valid(user, user_api, monkeypatch, settings):
    first = _profile(user_api, user)["kyc"]["links"]
    assert first["address"] and first == _profile(user_api, user)["kyc"]["links"]

    start = int(links.time.time())
    later = start + settings.KYC_LINK_TTL_SECONDS // links.LINK_REUSE_SHARE + 1
    monkeypatch.setattr(links.time, "time", lambda: later)
    renewed = _profile(user_api, user)["kyc"]["links"]
    assert renewed["address"] != first["address"]
    for link in (first["address"], renewed["address"]):
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(link)
        _, _, slug, token = parts.path.split("/")
        verified = links.link_verify(page_slug=slug, token=token, query=dict(parse_qsl(parts.query)), now=later)
        assert verified is not None and verified.user_id == str(user.pk)

    user.theme = "dark" if user.theme != "dark" else "light"
    user.save()
    themed = _profile(user_api, user)["kyc"]["links"]["address"]
    assert themed != renewed["address"] and f"display={user.theme}" in themed
