"""Properties of pricing.price_get over many amounts (hypothesis): the rounding rules of docs/decisions.md."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trading.pricing import CONTEXT, price_get, unit

from .conftest import set_commission

pytestmark = pytest.mark.django_db
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

PAIRS = [
    ("buy", "EUR", "XBT", "buy_with_fiat", "EUR"),
    ("buy", "RON", "ETH", "buy_with_fiat", "RON"),
    ("sell", "XBT", "EUR", "sell_to_fiat", "EUR"),
    ("sell", "IPSX", "ETH", "sell_to_crypto", None),
    ("buy", "ETH", "IPSX", "buy_with_crypto", None),
    ("withdraw", "ETH", "ETH", "withdraw", None),
    ("withdraw-ico", "IPSX", "IPSX", "withdrawIco", None),
]


def amounts(decimals: int):
    return st.decimals(min_value=Decimal(1).scaleb(-decimals), max_value=Decimal("1000000"), places=decimals).map(
        lambda d: format(d, "f")
    )


@pytest.fixture
def priced_market(market):
    for _kind, src, dst, operation, fiat in PAIRS:
        asset = dst if operation.startswith("buy") else src
        set_commission(asset, operation, "2.5", fiat=fiat)
    return market


@pytest.mark.parametrize("kind, src, dst, operation, fiat", PAIRS)
def test_amounts_commissions_and_round_trips(priced_market, user, kind, src, dst, operation, fiat):
    decimals = {"EUR": 2, "RON": 2, "XBT": 8, "ETH": 18, "IPSX": 18}

    @PROPERTY_SETTINGS
    @given(amount=amounts(decimals[src]))
    def check(amount):
        with localcontext(CONTEXT):
            verify(amount)

    def verify(amount):
        price = price_get(user=user, kind=kind, from_symbol=src, to_symbol=dst, from_amount=amount)
        assert price.operation == operation
        assert price.amount_from == Decimal(amount)  # the amount asked survives exactly
        for value in (price.amount_to, price.commission_from, price.commission_to):
            assert value >= 0
        # Quantized to each asset's decimals.
        assert price.amount_to == price.amount_to.quantize(unit(price.to_asset.decimals))
        # commission + net = gross exactly, on both sides.
        if kind in ("withdraw", "withdraw-ico"):
            assert price.amount_to + price.commission_to == price.amount_from
        else:
            raw_to = price.amount_from / price.rate_raw if kind == "buy" else price.amount_from * price.rate_raw
            gross_to = raw_to.quantize(unit(price.to_asset.decimals), rounding="ROUND_DOWN")
            assert price.amount_to + price.commission_to == gross_to
        assert price.commission_from <= price.amount_from
        # from_amount → to → to_amount gives back the from amount within one unit of the coarser side.
        if price.amount_to > 0:
            back = price_get(
                user=user, kind=kind, from_symbol=src, to_symbol=dst, to_amount=format(price.amount_to, "f")
            )
            assert back.amount_to == price.amount_to
            if kind == "buy":
                tolerance = max(unit(price.from_asset.decimals), unit(price.to_asset.decimals) * price.rate)
            elif kind == "sell":
                tolerance = max(unit(price.from_asset.decimals), unit(price.to_asset.decimals) / price.rate)
            else:
                tolerance = unit(price.from_asset.decimals)
            assert back.amount_from <= price.amount_from  # never asks more than what gave this amount
            assert price.amount_from - back.amount_from <= tolerance

    check()


def test_eighteen_decimals_survive_request_to_database_to_response(priced_market, user, user_api):
    """An IPSX amount with 18 decimals, stored in a DecimalField(38, 18) and read back, is unchanged."""
    from trading.models import Asset, ManualRate

    amount = "123456789.123456789012345678"
    rate = ManualRate.objects.create(asset=Asset.objects.get(symbol="IPSX"), price=Decimal(amount))
    rate.refresh_from_db()
    assert format(rate.price, "f") == amount
    response = user_api.get(f"/api/v1/user/{user.pk}/price/withdraw-ico/IPSX/IPSX", {"from_amount": amount})
    assert response.json()["data"]["amounts"]["from"] == amount
