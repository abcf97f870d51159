"""Trading suspended (`User.trade_status` off) refuses quotes; staff approval waits for `kycLevelRequired`."""

from decimal import Decimal

import pytest
from django.urls import reverse

from trading import orders
from trading.order_exceptions import OrderKycLevelTooLow
from trading.order_models import Order, Quote

from ..factories import UserFactory
from ..kyc.conftest import reach_level
from .conftest import balance
from .test_admin import staff_client  # noqa: F401  (the admin fixture)

pytestmark = pytest.mark.django_db

QUOTE = {
    "type": "coin",
    "orderType": "buy_with_crypto",
    "orderAmount": "0.1",
    "orderSymbol": "ETH",
    "orderPaymentSymbol": "XBT",
}


def _deposit(api, user, tx="0xgate") -> Order:
    response = api.post(
        f"/api/v1/user/{user.pk}/deposit",
        {"type": "coin", "symbol": "ETH", "amount": "2", "txID": tx},
        format="json",
    )
    assert response.status_code == 200, response.content
    return Order.objects.get(pk=response.json()["data"]["id"])


def test_quote_create_refused_when_trading_is_suspended(market, user, user_api):
    user.trade_status = False
    user.save(update_fields=["trade_status"])
    response = user_api.post(f"/api/v1/user/{user.pk}/quote", QUOTE, format="json")
    assert response.status_code == 403
    assert response.json() == {"error": "Your account is not allowed to trade."}
    assert not Quote.objects.exists()


def test_quote_confirm_refused_when_trading_was_suspended_after_the_quote(market, user, user_api):
    response = user_api.post(f"/api/v1/user/{user.pk}/quote", QUOTE, format="json")
    assert response.status_code == 201, response.content
    quote_id = response.json()["data"]["id"]
    user.trade_status = False
    user.save(update_fields=["trade_status"])
    response = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote_id}", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "Your account is not allowed to trade."}
    assert Quote.objects.get(pk=quote_id).status == Quote.Status.AVAILABLE
    assert not Order.objects.exists()


def test_approval_waits_for_the_kyc_level_the_order_requires(market, user, user_api, kyc_gate):
    order = _deposit(user_api, user)
    assert order.kyc_level_required >= 1  # a level-0 user
    staff = UserFactory(is_staff=True)
    with pytest.raises(OrderKycLevelTooLow) as refused:
        orders.order_approve(order_id=order.pk, staff=staff)
    assert str(refused.value) == (
        f"The user's KYC level (0) is below the level this order requires ({order.kyc_level_required})."
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING_PAYMENT and balance(user, "ETH") == Decimal(0)
    reach_level(user, order.kyc_level_required)
    orders.order_approve(order_id=order.pk, staff=staff)
    assert balance(user, "ETH") == Decimal(2)


def test_admin_approve_action_shows_the_kyc_refusal(market, user, user_api, staff_client, kyc_gate):  # noqa: F811
    order = _deposit(user_api, user, tx="0xadmin")
    url = reverse("admin:trading_deposittoconfirm_changelist")
    response = staff_client.post(
        url, {"action": "approve_selected", "_selected_action": [str(order.pk)], "apply": "1"}, follow=True
    )
    assert b"is below the level this order requires" in response.content
    assert b"0 order(s) updated." in response.content
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING_PAYMENT and balance(user, "ETH") == Decimal(0)
