"""Idempotency-Key on the money-moving POSTs of quotes, orders and deposits (ccpro.api.idempotency)."""

import pytest

from trading.order_models import Order, Quote

from ..instruments.conftest import image_upload
from .conftest import confirmed_bank, confirmed_card, fund

pytestmark = pytest.mark.django_db

BUY = {
    "type": "coin",
    "orderType": "buy_with_fiat",
    "orderAmount": "0.5",
    "orderSymbol": "ETH",
    "orderPaymentSymbol": "EUR",
}


def test_quote_create_and_confirm_replay(market, user, user_api):
    card = confirmed_card(user)
    path = f"/api/v1/user/{user.pk}/quote"
    first = user_api.post(path, {**BUY, "orderPaymentMethod": str(card.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="q-1")
    again = user_api.post(path, {**BUY, "orderPaymentMethod": str(card.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="q-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Quote.objects.count() == 1
    other = user_api.post(
        path, {**BUY, "orderAmount": "1", "orderPaymentType": "bank"}, format="json", HTTP_IDEMPOTENCY_KEY="q-1"
    )
    assert other.status_code == 422
    confirm = f"{path}/{first.json()['data']['id']}"
    one = user_api.post(confirm, {}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    two = user_api.post(confirm, {}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert one.status_code == two.status_code == 201 and one.json() == two.json()
    assert Order.objects.count() == 1


def test_deposit_and_payment_confirmation_replay(market, user, user_api):
    path = f"/api/v1/user/{user.pk}/deposit"
    body = {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0xidem"}
    first = user_api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    again = user_api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert Order.objects.filter(operation="deposit").count() == 1
    bank = confirmed_bank(user)
    fund(user, "ETH", "1")
    quote = user_api.post(f"/api/v1/user/{user.pk}/quote", {**BUY, "orderPaymentMethod": str(bank.pk)}, format="json")
    order = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote.json()['data']['id']}", {}, format="json").json()[
        "data"
    ]
    proof = f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation"
    upload = image_upload()
    one = user_api.post(proof, {"file": upload}, format="multipart", HTTP_IDEMPOTENCY_KEY="p-1")
    upload.seek(0)
    two = user_api.post(proof, {"file": upload}, format="multipart", HTTP_IDEMPOTENCY_KEY="p-1")
    assert one.status_code == two.status_code == 200
    assert two["Idempotent-Replayed"] == "true"
    assert Order.objects.get(pk=order["id"]).status == "PROCESSING_PAYMENT"
