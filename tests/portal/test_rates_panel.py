"""The dashboard's rate chart panel and its history endpoint (the API's Currency History selector)."""

import json
import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from tests.trading.conftest import market  # noqa: F401 - fixture
from trading.models import Asset, RateSnapshot
from trading.selectors import HISTORY_PERIODS

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(market):  # noqa: F811
    now = int(time.time())
    xbt = Asset.objects.get(symbol="XBT")
    RateSnapshot.objects.bulk_create(
        [
            RateSnapshot(asset=xbt, price=Decimal(5000 + i), source="t", ts=now - 300 * 86400 + i * 86400)
            for i in range(300)
        ],
        ignore_conflicts=True,
    )
    cache.clear()


def _chart(page: str) -> dict:
    match = re.search(r'<script id="rate-chart-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_dashboard_draws_the_chosen_asset_and_period(web, user, history):
    signed_in(web, user)
    page = web.get("/dashboard").content.decode()
    chart = _chart(page)
    assert chart["period"] == "day" and chart["points"]
    assert 'data-panel="rates"' in page and "vendor/chartjs/chart.umd.min.js" in page
    chart = _chart(web.get("/dashboard?asset=xbt&period=year").content.decode())
    assert (chart["asset"], chart["period"]) == ("XBT", "year")
    assert 100 <= len(chart["points"]) <= 200
    assert chart["points"][-1]["rate"] == "6377.00000"
    # Unknown choices fall back to the defaults instead of failing.
    chart = _chart(web.get("/dashboard?asset=NOPE&period=hour").content.decode())
    assert chart["period"] == "day"


@pytest.mark.parametrize("period", list(HISTORY_PERIODS))
def test_history_endpoint_answers_each_period_like_the_api(web, user, user_api, history, period):
    signed_in(web, user)
    response = web.get(f"/markets/XBT/history/{period}")
    assert response.status_code == 200
    body = response.json()
    api = user_api.get(f"/api/v1/user/{user.pk}/currencies/XBT/history/{period}").json()["data"]
    assert body == {"asset": "XBT", "period": period, "points": api}


def test_history_endpoint_refusals(web, user, history):
    assert web.get("/markets/XBT/history/day").status_code == 302  # no session
    signed_in(web, user)
    assert web.get("/markets/XBT/history/hour").status_code == 404
    assert web.get("/markets/DOGE/history/day").status_code == 404
