"""The dashboard's balances and recent orders panels over HTTP: the API's balances selector (same amounts, same
fiat values) and the orders list, each order linking to its page; only the signed-in user's."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders import conftest as orders_conftest
from tests.orders.conftest import fund
from trading import orders

from .conftest import signed_in

pytestmark = pytest.mark.django_db
market = orders_conftest.market  # fresh rates and every operation offered


def _panel(page: str, name: str) -> str:
    match = re.search(rf'<section class="card panel[^"]*" data-panel="{name}">(.*?)</section>', page, re.S)
    assert match, f"no {name} panel"
    return match.group(1)


def _declare_deposits(user, count: int, start: int = 0):
    return [
        orders.deposit_create(
            user=user, type="coin", symbol="ETH", amount="1.5", tx_id=f"0x{user.pk.hex}{i}", wallet=""
        )
        for i in range(start, start + count)
    ]


def test_empty_panels_point_to_trading(market, web, user):
    signed_in(web, user)
    page = web.get("/dashboard").content.decode()
    assert 'data-testid="no-balances"' in _panel(page, "balances")
    assert 'data-testid="no-recent-orders"' in _panel(page, "orders")
    # In the order the dashboard lays them out.
    names = re.findall(r'data-panel="(\w+)"', page)
    assert names == ["profile", "kyc", "balances", "rates", "orders", "notifications"]


def test_balances_are_the_apis_amounts_and_fiat_values(market, web, user, user_api, other_user):
    fund(user, "ETH", "2.5")
    fund(user, "XBT", "0.125")
    fund(other_user, "IPSX", "7")
    signed_in(web, user)
    panel = _panel(web.get("/dashboard").content.decode(), "balances")
    api = user_api.get(f"/api/v1/user/{user.pk}/balances").json()["data"]
    held = {b["symbol"]: b for group in api.values() for b in group if b["favorite"]}
    assert set(held) == {"ETH", "XBT"}
    rows = dict(re.findall(r'data-balance="(\w+)"(.*?)</tr>', panel, re.S))
    assert set(rows) == {"ETH", "XBT"}  # neither the other user's IPSX nor assets never held
    total = Decimal(0)
    for symbol, body in held.items():
        available = re.search(r'data-testid="balance-available">([^<]+)<', rows[symbol]).group(1)
        fiat = re.search(r'data-testid="balance-fiat">([^<]+)<', rows[symbol]).group(1)
        assert Decimal(available) == Decimal(body["amounts"]["crypto"]["available"])
        assert fiat == body["amounts"]["fiat"]["available"]
        total += Decimal(fiat)
    # 2.5 ETH at 160.16 and 0.125 XBT at 6377 EUR, each value in cents as the API gives it.
    assert abs(total - (Decimal("2.5") * Decimal("160.16") + Decimal("0.125") * Decimal("6377"))) < Decimal("0.01")
    assert re.search(r'data-testid="balance-total">([^ <]+)', panel).group(1) == str(total)
    assert "Value (EUR)" in panel


def test_pending_amounts_are_shown(market, web, user):
    from trading.ledger import Kind, customer_account, ledger_post, system_account
    from trading.models import Asset

    eth = Asset.objects.get(symbol="ETH")
    ledger_post(
        idempotency_key=f"pending:{user.pk}",
        kind="deposit",
        legs=[
            (system_account(asset=eth, kind=Kind.OMNIBUS), Decimal(-1)),
            (customer_account(user=user, asset=eth, kind=Kind.PENDING), Decimal(1)),
        ],
    )
    signed_in(web, user)
    panel = _panel(web.get("/dashboard").content.decode(), "balances")
    assert re.search(r'data-testid="balance-pending">\+1 pending<', panel)


def test_recent_orders_are_the_newest_five_linking_to_their_pages(market, web, user, other_user):
    mine = _declare_deposits(user, 7)
    theirs = _declare_deposits(other_user, 1)
    signed_in(web, user)
    panel = _panel(web.get("/dashboard").content.decode(), "orders")
    shown = re.findall(r'data-order="(\w+)"', panel)
    assert shown == [order.public_id for order in reversed(mine)][:5]
    assert theirs[0].public_id not in panel
    for order in mine[2:]:
        assert f'href="/orders/{order.pk}"' in panel
        assert web.get(f"/orders/{order.pk}").status_code == 200
    assert "See all 7 orders" in panel and 'href="/orders"' in panel
    assert "1.5 ETH" in panel and "PROCESSING_PAYMENT" in panel


def test_dashboard_queries_do_not_grow_with_orders_and_balances(market, web, user):
    signed_in(web, user)
    fund(user, "ETH", "1")
    _declare_deposits(user, 1)
    web.get("/dashboard")  # warm the caches (rates, market configuration)
    with CaptureQueriesContext(connection) as few:
        assert web.get("/dashboard").status_code == 200
    for symbol in ("XBT", "IPSX"):
        fund(user, symbol, "1")
    _declare_deposits(user, 30, start=1)
    with CaptureQueriesContext(connection) as many:
        assert web.get("/dashboard").status_code == 200
    assert len(many) <= len(few), [q["sql"] for q in many.captured_queries]
