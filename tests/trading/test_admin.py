from decimal import Decimal

import pytest
from django.urls import reverse

from trading.models import ManualRate, OperationConfig, RateFeed

pytestmark = pytest.mark.django_db

MODELS = ["asset", "operationconfig", "paymentmethod", "userpricing", "ratefeed", "manualrate", "ratesnapshot"]


@pytest.mark.parametrize("model", MODELS)
def test_changelists_and_add_pages_load(market, admin_client, model):
    assert admin_client.get(reverse(f"admin:trading_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:trading_{model}_add")).status_code in (200, 403)


def test_staff_edit_of_an_operation_changes_the_price_endpoint(market, admin_client, user, user_api):
    config = OperationConfig.objects.get(asset__symbol="XBT", operation="buy_with_fiat", fiat__symbol="EUR")
    url = reverse("admin:trading_operationconfig_change", args=[config.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = {
        "platform": config.platform_id,
        "asset": config.asset_id,
        "operation": "buy_with_fiat",
        "fiat": config.fiat_id,
        "status": "on",
        "commission_percent": "0.1",
        "position": "0",
        "crypto_min": "",
        "crypto_max": "",
        "fiat_min": "10",
        "fiat_max": "",
        "second_operations-TOTAL_FORMS": "1",
        "second_operations-INITIAL_FORMS": "1",
        "second_operations-MIN_NUM_FORMS": "0",
        "second_operations-MAX_NUM_FORMS": "1000",
        "second_operations-0-id": config.second_operations.get().pk,
        "second_operations-0-config": config.pk,
        "second_operations-0-operation": "withdraw",
        "second_operations-0-mandatory": "on",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    data = user_api.get(f"/api/v1/user/{user.pk}/price/buy/EUR/XBT", {"from_amount": "100"}).json()["data"]
    assert data["rate"] == "6383.377"
    currencies = user_api.get(f"/api/v1/user/{user.pk}/currencies/XBT").json()["data"]
    eur = currencies["coins"][0]["operations"]["Particular"]["EUR"][0]["buy_with_fiat"]
    assert eur["limits"]["fiat"] == {"min": "10", "max": None}
    assert eur["secondOperations"] == [{"withdraw": {"mandatory": True}}]

    admin_client.post(
        reverse("admin:trading_operationconfig_changelist"),
        {"action": "disable", "_selected_action": [config.pk]},
    )
    response = user_api.get(f"/api/v1/user/{user.pk}/price/buy/EUR/XBT")
    assert response.status_code == 405


def test_manual_rate_entered_in_admin_records_who(market, admin_client, admin_user):
    from trading.models import Asset

    response = admin_client.post(
        reverse("admin:trading_manualrate_add"), {"asset": Asset.objects.get(symbol="RON").pk, "price": "0.2012"}
    )
    assert response.status_code == 302
    rate = ManualRate.objects.get()
    assert rate.price == Decimal("0.2012") and rate.updated_by == admin_user


def test_the_rate_feed_is_a_single_row(admin_client):
    assert RateFeed.objects.count() == 1
    assert admin_client.get(reverse("admin:trading_ratefeed_add")).status_code == 403
    feed = RateFeed.objects.get()
    response = admin_client.post(
        reverse("admin:trading_ratefeed_change", args=[feed.pk]),
        {"provider": "manual", "max_age_seconds": "60", "kraken_url": feed.kraken_url, "simulated_seed": "1"},
    )
    assert response.status_code == 302
    assert RateFeed.objects.get().provider == "manual"
