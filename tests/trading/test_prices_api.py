import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from tests.conftest import client_for
from tests.factories import UserFactory
from trading.models import OperationConfig, PaymentMethod, RateFeed, UserPricing

from .conftest import set_commission, set_rates

pytestmark = pytest.mark.django_db


def price(client, user, path, **query):
    return client.get(f"/api/v1/user/{user.pk}/price/{path}", query)


def test_buy_from_amount_matches_the_reference_example(market, user, user_api):
    set_commission("XBT", "buy_with_fiat", "0.1", fiat="EUR")
    response = price(user_api, user, "buy/EUR/XBT", from_amount="100")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data == {
        "rate": "6383.377",
        "rateRaw": "6377",
        "commission": {"from": "0.10", "to": "0.00001567", "percent": 0.1, "discount": 0},
        "amounts": {"from": "100.00", "to": "0.01566568"},
        "assets": {"from": "EUR", "to": "XBT"},
        "payment": {"processor": None, "fee": None, "feeOnTop": None},
        "operation": "buy_with_fiat",
    }
    # commission + net = gross, in the asset bought: 100 / 6377 rounded down to 8 decimals.
    assert Decimal(data["amounts"]["to"]) + Decimal(data["commission"]["to"]) == Decimal("0.01568135")


def test_sell_withdraw_and_withdraw_ico_shapes(market, user, user_api):
    sell = price(user_api, user, "sell/ETH/EUR", from_amount="100").json()["data"]
    assert sell["rate"] == "160.16" and sell["rateRaw"] == "160.16"
    assert sell["amounts"] == {"from": "100.000000000000000000", "to": "16016.00"}
    assert sell["commission"] == {"from": "0.000000000000000000", "to": "0.00", "percent": 0, "discount": 0}
    assert sell["operation"] == "sell_to_fiat"

    set_commission("ETH", "withdraw", "2")
    withdraw = price(user_api, user, "withdraw/ETH/ETH", from_amount="100").json()["data"]
    assert withdraw["operation"] == "withdraw"
    assert withdraw["rate"] == "160.16"
    assert withdraw["commission"]["from"] == withdraw["commission"]["to"] == "2.000000000000000000"
    assert withdraw["commission"]["percent"] == 2
    assert withdraw["amounts"] == {"from": "100.000000000000000000", "to": "98.000000000000000000"}

    set_commission("IPSX", "withdrawIco", "10")
    ico = price(user_api, user, "withdraw-ico/IPSX/IPSX", from_amount="100").json()["data"]
    assert ico["operation"] == "withdrawIco" and ico["rate"] == "0.00006304"
    assert ico["amounts"]["to"] == "90.000000000000000000"
    assert ico["assets"] == {"from": "IPSX", "to": "IPSX"}


def test_to_amount_gives_the_from_amount_rounded_up(market, user, user_api):
    set_commission("XBT", "buy_with_fiat", "0.1", fiat="EUR")
    data = price(user_api, user, "buy/EUR/XBT", to_amount="0.01566568").json()["data"]
    assert data["amounts"] == {"from": "100.00", "to": "0.01566568"}
    sell = price(user_api, user, "sell/XBT/EUR", to_amount="100").json()["data"]
    # 100 / 6377 = 0.0156813548…, rounded up: the user gives enough.
    assert sell["amounts"] == {"from": "0.01568136", "to": "100.00"}


def test_no_amount_prices_one_unit(market, user, user_api):
    data = price(user_api, user, "buy/EUR/ETH").json()["data"]
    assert data["amounts"]["from"] == "1.00" and data["rate"] == "160.16"


def test_buy_with_crypto_uses_the_cross_rate(market, user, user_api):
    data = price(user_api, user, "buy/ETH/IPSX", from_amount="1").json()["data"]
    assert data["operation"] == "buy_with_crypto"
    assert Decimal(data["rateRaw"]) == (Decimal("0.00006304") / Decimal("160.16")).quantize(
        Decimal("1e-18"), "ROUND_DOWN"
    )
    sell = price(user_api, user, "sell/IPSX/ETH", from_amount="1000").json()["data"]
    assert sell["operation"] == "sell_to_crypto"


def test_both_amounts_is_403_with_the_reference_body(market, user, user_api):
    response = price(user_api, user, "buy/EUR/XBT", from_amount="1", to_amount="1")
    assert response.status_code == 403
    assert response.json() == {"message": "ERROR: from_amount and to_amount cannot be both filled", "errors": {}}


@pytest.mark.parametrize(
    "path",
    [
        "buy/EUR/EUR",
        "buy/XBT/EUR",
        "sell/EUR/XBT",
        "withdraw/ETH/XBT",
        "withdraw/EUR/EUR",
        "withdraw-ico/XBT/XBT",  # withdrawIco is configured for tokens only
        "buy/DOGE/XBT",
        "buy/EUR/" + "X" * 300,
    ],
)
def test_pairs_not_offered_are_405(market, user, user_api, path):
    response = price(user_api, user, path, from_amount="1")
    assert response.status_code == 405
    assert response.json() == {"message": "Operation not available!", "errors": {}}


def test_disabled_operation_and_particular_entry_take_effect(market, user, user_api):
    assert price(user_api, user, "buy/RON/XBT").status_code == 200
    OperationConfig.objects.get(asset__symbol="XBT", operation="buy_with_fiat", fiat__symbol="RON").delete()
    # Without a Particular entry for RON, the General one applies.
    assert price(user_api, user, "buy/RON/XBT").status_code == 200
    general = OperationConfig.objects.get(asset__symbol="XBT", operation="buy_with_fiat", fiat__isnull=True)
    general.status = False
    general.save()
    assert price(user_api, user, "buy/RON/XBT").status_code == 405
    assert price(user_api, user, "buy/EUR/XBT").status_code == 200  # EUR has its own Particular entry


def test_stale_rate_makes_priced_operations_unavailable_but_not_withdrawals(market, user, user_api):
    cache.clear()
    from trading.models import RateSnapshot

    RateSnapshot.objects.all().delete()
    set_rates({"XBT": "6377", "ETH": "160.16", "IPSX": "0.00006304"}, ts=int(time.time()) - 3600)
    assert price(user_api, user, "buy/EUR/XBT", from_amount="10").status_code == 405
    assert price(user_api, user, "sell/ETH/EUR", from_amount="1").status_code == 405
    assert price(user_api, user, "withdraw/ETH/ETH", from_amount="1").status_code == 200
    feed = RateFeed.objects.get_or_create(pk=1)[0]
    feed.max_age_seconds = 7200
    feed.save()
    assert price(user_api, user, "buy/EUR/XBT", from_amount="10").status_code == 200


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "The from amount must be a number."),
        ("1e5", "The from amount must be a number."),
        ("1E-2", "The from amount must be a number."),
        ("-5", "The from amount must be greater than 0."),
        ("0", "The from amount must be greater than 0."),
        ("0.000", "The from amount must be greater than 0."),
        ("NaN", "The from amount must be a number."),
        ("Infinity", "The from amount must be a number."),
        (" 1", "The from amount must be a number."),
        ("1.5.5", "The from amount must be a number."),
        ("9" * 41, "The from amount may not be greater than 40 characters."),
        ("1.123", "The from amount may not have more than 2 decimal places."),
    ],
)
def test_bad_amounts_are_422(market, user, user_api, value, message):
    response = price(user_api, user, "buy/EUR/XBT", from_amount=value)
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {"from_amount": [message]}}


def test_bad_to_amount_names_its_field(market, user, user_api):
    response = price(user_api, user, "buy/EUR/XBT", to_amount="0.123456789")
    assert response.json()["errors"] == {"to_amount": ["The to amount may not have more than 8 decimal places."]}


def test_eighteen_decimal_token_amounts_survive_unchanged(market, user, user_api):
    amount = "12345.123456789012345678"
    data = price(user_api, user, "withdraw-ico/IPSX/IPSX", from_amount=amount).json()["data"]
    assert data["amounts"]["from"] == amount
    data = price(user_api, user, "sell/IPSX/ETH", from_amount=amount).json()["data"]
    assert data["amounts"]["from"] == amount


def test_card_payment_fee_and_user_discount(market, user, user_api):
    set_commission("XBT", "buy_with_fiat", "2", fiat="EUR")
    PaymentMethod.objects.filter(kind="card", fiat__symbol="EUR").update(fee_percent=Decimal("2.5"), fee_fixed=1)
    cache.clear()
    data = price(user_api, user, "buy/EUR/XBT", from_amount="100", payment_type="card").json()["data"]
    assert data["payment"] == {"processor": "MobilPay", "fee": "3.50", "feeOnTop": True}
    UserPricing.objects.create(user=user, discount_percent=Decimal(50))
    data = price(user_api, user, "buy/EUR/XBT", from_amount="100").json()["data"]
    assert data["commission"]["percent"] == 2 and data["commission"]["discount"] == 50
    assert data["rate"] == "6440.77"  # 6377 × 1.01: half the 2 % commission is waived
    bad = price(user_api, user, "buy/EUR/XBT", from_amount="100", payment_type="cash")
    assert bad.status_code == 422 and bad.json()["errors"] == {
        "payment_type": ["The selected payment type is invalid."]
    }


def test_auth_and_ownership(market, user, user_api, other_user, api):
    assert price(api, user, "buy/EUR/XBT").status_code == 401
    response = price(client_for(other_user), user, "buy/EUR/XBT")
    assert response.status_code == 409 and response.json() == {"message": "This action is unauthorized."}
    inactive = UserFactory(is_active=False)
    assert price(client_for(inactive), inactive, "buy/EUR/XBT").status_code == 403


def test_partner_platform_without_configuration_uses_ccpro(market, user, user_api):
    from platforms.models import Platform
    from platforms.services import platform_user_link

    partner = Platform.objects.create(code="PARTNER", name="Partner")
    other = UserFactory()
    platform_user_link(user=other, platform=partner)
    assert price(client_for(other), other, "buy/EUR/XBT").status_code == 200
    OperationConfig.objects.create(
        platform=partner, asset_id=market.operation_configs.first().asset_id, operation="deposit"
    )
    assert price(client_for(other), other, "buy/EUR/XBT").status_code == 405


def test_warm_price_request_uses_at_most_three_queries(market, user, user_api, django_assert_max_num_queries):
    price(user_api, user, "buy/EUR/XBT", from_amount="100")
    with django_assert_max_num_queries(3):
        assert price(user_api, user, "buy/EUR/XBT", from_amount="100").status_code == 200
