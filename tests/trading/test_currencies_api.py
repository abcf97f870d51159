import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from tests.conftest import client_for
from trading.models import Asset, OperationConfig, RateSnapshot

from .conftest import set_rates

pytestmark = pytest.mark.django_db


def test_currency_index_shape(market, user, user_api):
    response = user_api.get(f"/api/v1/user/{user.pk}/currencies")
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == ["coins", "tokens", "fiats"]
    assert [c["symbol"] for c in data["coins"]] == ["XBT", "ETH"]
    assert [c["symbol"] for c in data["tokens"]] == ["IPSX"]
    assert data["fiats"][0] == {"name": "Euro", "symbol": "EUR", "operations": []}
    eth = data["coins"][1]
    assert eth["name"] == "Ether" and eth["type"] == "coin" and eth["chain"] == {"name": "Ether", "symbol": "ETH"}
    assert eth["rates"]["raw"]["now"] == "160.16000"
    assert set(eth["rates"]["raw"]) == {"now", "day", "week", "month", "quarter", "semester", "year", "history"}
    assert eth["rates"]["raw"]["history"]["day"][-1]["rate"] == "160.16000"
    general = {next(iter(entry)): next(iter(entry.values())) for entry in eth["operations"]["General"]}
    assert set(general) == {
        "deposit", "withdraw", "buy_with_fiat", "sell_to_fiat", "buy_with_crypto", "sell_to_crypto"
    }  # fmt: skip
    assert general["buy_with_fiat"] == {
        "status": True,
        "limits": {"crypto": {"min": None, "max": None}, "fiat": {"min": None, "max": None}},
        "secondOperations": [{"withdraw": {"mandatory": False}}],
    }
    assert set(eth["operations"]["Particular"]) == {"EUR", "USD", "RON", "CHF"}
    assert [next(iter(e)) for e in eth["operations"]["Particular"]["EUR"]] == ["buy_with_fiat", "sell_to_fiat"]
    ipsx = data["tokens"][0]
    assert ipsx["chain"] == {"name": "Ether", "symbol": "ETH"} and ipsx["rates"]["raw"]["now"] == "0.00006304"


def test_one_asset_answers_only_its_group(market, user, user_api):
    data = user_api.get(f"/api/v1/user/{user.pk}/currencies/eth").json()["data"]
    assert list(data) == ["coins"] and [c["symbol"] for c in data["coins"]] == ["ETH"]


def test_limits_and_disabled_operations_show_as_configured(market, user, user_api):
    config = OperationConfig.objects.get(asset__symbol="XBT", operation="withdraw", fiat__isnull=True)
    config.crypto_min, config.crypto_max, config.status = Decimal("0.001"), Decimal("10"), False
    config.save()
    data = user_api.get(f"/api/v1/user/{user.pk}/currencies/XBT").json()["data"]
    withdraw = next(e["withdraw"] for e in data["coins"][0]["operations"]["General"] if "withdraw" in e)
    assert withdraw["status"] is False
    assert withdraw["limits"]["crypto"] == {"min": "0.001", "max": "10"}


def test_stale_rates_turn_priced_operations_off(market, user, user_api):
    RateSnapshot.objects.all().delete()
    set_rates({"XBT": "6377"}, ts=int(time.time()) - 86400)
    cache.clear()
    data = user_api.get(f"/api/v1/user/{user.pk}/currencies/XBT").json()["data"]
    general = {next(iter(e)): next(iter(e.values()))["status"] for e in data["coins"][0]["operations"]["General"]}
    assert general["buy_with_fiat"] is False and general["sell_to_crypto"] is False
    assert general["withdraw"] is True and general["deposit"] is True


@pytest.mark.parametrize("path", ["currencies/DOGE", "currencies/XBT/history/hour", "currencies/DOGE/history/day"])
def test_unknown_asset_or_period_is_403(market, user, user_api, path):
    response = user_api.get(f"/api/v1/user/{user.pk}/{path}")
    assert response.status_code == 403
    assert response.json() == {"message": "Unable to process your request."}


def test_inactive_asset_is_not_listed(market, user, user_api):
    asset = Asset.objects.get(symbol="IPSX")
    asset.active = False
    asset.save()
    data = user_api.get(f"/api/v1/user/{user.pk}/currencies").json()["data"]
    assert data["tokens"] == []
    assert user_api.get(f"/api/v1/user/{user.pk}/currencies/IPSX").status_code == 403


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter", "semester", "year"])
def test_history_is_downsampled_to_a_bounded_number_of_points(market, user, user_api, period):
    from trading.selectors import HISTORY_MAX_POINTS, HISTORY_PERIODS

    xbt = Asset.objects.get(symbol="XBT")
    now = int(time.time())
    span = HISTORY_PERIODS[period]
    step = max(1, span // 1000)  # a thousand stored points over the period
    RateSnapshot.objects.bulk_create(
        [
            RateSnapshot(asset=xbt, price=Decimal(5000 + i), source="t", ts=now - span + step * i)
            for i in range(1, 1000)
        ],
        ignore_conflicts=True,
    )
    cache.clear()
    response = user_api.get(f"/api/v1/user/{user.pk}/currencies/XBT/history/{period}")
    assert response.status_code == 200
    points = response.json()["data"]
    assert 100 <= len(points) <= HISTORY_MAX_POINTS
    assert [p["createdAt"] for p in points] == sorted(p["createdAt"] for p in points)
    assert all(set(p) == {"rate", "createdAt"} and isinstance(p["createdAt"], int) for p in points)
    assert points[-1]["rate"] == "6377.00000"  # the latest snapshot is the last point


def test_currencies_auth_and_ownership(market, user, api, other_user):
    assert api.get(f"/api/v1/user/{user.pk}/currencies").status_code == 401
    assert client_for(other_user).get(f"/api/v1/user/{user.pk}/currencies/XBT/history/day").status_code == 409
    assert client_for(other_user).get(f"/api/v1/user/{user.pk}/currencies").status_code == 409


def test_schema_documents_the_endpoints(admin_client):
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/currencies/{asset}/history/{period}", "/price/buy/{from_symbol}/{to_symbol}", "from_amount"):
        assert path in text
