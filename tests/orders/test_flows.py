"""Each operation end to end through the API and the staff services, with its ledger effect checked."""

from decimal import Decimal

import pytest

from trading import orders
from trading.ledger import Kind
from trading.ledger_models import LedgerAccount, LedgerEntry
from trading.order_models import Order, OrderStatusChange, Quote

from ..factories import UserFactory
from ..instruments.conftest import image_upload
from .conftest import balance, confirmed_bank, confirmed_card, confirmed_wallet, fund

D = Decimal
pytestmark = pytest.mark.django_db


def staff():
    return UserFactory(is_staff=True)


def quote(api, user, **body):
    response = api.post(f"/api/v1/user/{user.pk}/quote", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def confirm(api, user, quote_id, **body):
    return api.post(f"/api/v1/user/{user.pk}/quote/{quote_id}", body, format="json")


def system_balance(symbol, kind):
    return sum(a.balance for a in LedgerAccount.objects.filter(user=None, asset__symbol=symbol, kind=kind))


def test_buy_with_fiat_by_bank_transfer(market, user, user_api):
    bank = confirmed_bank(user)
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="buy_with_fiat",
        orderAmount="0.5",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(bank.pk),
    )
    assert q["status"] == "available" and q["from"] == "EUR" and q["to"] == "ETH"
    assert q["amount"] == "0.500000000000000000"
    assert q["payment"] == {"type": "bank", "id": str(bank.pk), "mandatory": False}
    assert q["confirmUrl"].startswith("http")

    response = confirm(user_api, user, q["id"])
    assert response.status_code == 201, response.content
    order = response.json()["data"]
    assert order["status"] == "PAYMENT_WAITING"
    assert order["quote"]["status"] == "completed"
    assert order["typeOperation"] == "in"
    assert Quote.objects.get(pk=q["id"]).status == "completed"

    # proof of payment → PROCESSING_PAYMENT, a second proof is refused
    path = f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation"
    response = user_api.post(path, {"file": image_upload()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {"message": "Proof of payment successfully uploaded."}
    response = user_api.post(path, {"file": image_upload()}, format="multipart")
    assert response.status_code == 403
    assert response.json() == {"message": "This order payment is already confirmed."}

    row = Order.objects.get(pk=order["id"])
    assert row.status == "PROCESSING_PAYMENT"
    orders.order_approve(order_id=row.pk, staff=staff(), reason="transfer seen")
    row.refresh_from_db()
    assert row.status == "APPROVED"
    assert balance(user, "ETH") == D("0.5")
    # The fiat came from outside; its commission is revenue; the house's clearing gave the ETH.
    assert system_balance("EUR", Kind.EXTERNAL) == -row.from_amount
    assert system_balance("EUR", Kind.REVENUE) == row.commission_amount > 0
    assert system_balance("ETH", Kind.CLEARING) == D("-0.5")
    history = list(OrderStatusChange.objects.filter(order=row).values_list("from_status", "to_status", "actor"))
    assert history == [
        ("", "PAYMENT_WAITING", "User"),
        ("PAYMENT_WAITING", "PROCESSING_PAYMENT", "User"),
        ("PROCESSING_PAYMENT", "APPROVED", "Staff"),
    ]
    assert user.notifications.filter(code="order_approved").exists()


def test_sell_to_fiat_reserves_then_consumes(market, user, user_api):
    bank = confirmed_bank(user)
    fund(user, "ETH", "2")
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_fiat",
        orderAmount="1.5",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(bank.pk),
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    assert order["status"] == "PROCESSING_PAYMENT"
    assert (balance(user, "ETH"), balance(user, "ETH", Kind.PENDING)) == (D("0.5"), D("1.5"))
    orders.order_approve(order_id=order["id"], staff=staff())
    assert (balance(user, "ETH"), balance(user, "ETH", Kind.PENDING)) == (D("0.5"), D("0"))
    row = Order.objects.get(pk=order["id"])
    assert system_balance("EUR", Kind.EXTERNAL) == row.to_amount
    assert system_balance("ETH", Kind.REVENUE) == row.commission_amount


def test_sell_rejected_releases_the_reservation(market, user, user_api):
    bank = confirmed_bank(user)
    fund(user, "ETH", "1")
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_fiat",
        orderAmount="1",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(bank.pk),
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    orders.order_reject(order_id=order["id"], staff=staff(), reason="bank account closed")
    assert (balance(user, "ETH"), balance(user, "ETH", Kind.PENDING)) == (D("1"), D("0"))
    assert user.notifications.filter(code="order_rejected").exists()


def test_sell_without_funds_is_refused_and_the_quote_stays_available(market, user, user_api):
    bank = confirmed_bank(user)
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_fiat",
        orderAmount="1",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(bank.pk),
    )
    response = confirm(user_api, user, q["id"])
    assert response.status_code == 403
    assert response.json() == {"message": "Insufficient funds."}
    assert Quote.objects.get(pk=q["id"]).status == "available"
    assert not Order.objects.exists()


def test_buy_with_crypto_is_filled_at_once(market, user, user_api):
    fund(user, "ETH", "10")
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="buy_with_crypto",
        orderAmount="0.01",
        orderSymbol="XBT",
        orderPaymentSymbol="ETH",
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    assert order["status"] == "APPROVED"
    row = Order.objects.get(pk=order["id"])
    assert balance(user, "XBT") == D("0.01")
    assert balance(user, "ETH") == D("10") - row.from_amount
    assert balance(user, "ETH", Kind.PENDING) == 0


def test_sell_to_crypto(market, user, user_api):
    fund(user, "XBT", "1")
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_crypto",
        orderAmount="0.1",
        orderSymbol="XBT",
        orderPaymentSymbol="ETH",
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    assert order["status"] == "APPROVED"
    assert balance(user, "XBT") == D("0.9")
    assert balance(user, "ETH") == Order.objects.get(pk=order["id"]).to_amount > 0


def test_withdraw_needs_a_tx_id_to_be_sent(market, user, user_api):
    wallet = confirmed_wallet(user)
    fund(user, "ETH", "3")
    q = quote(
        user_api, user, type="coin", orderType="withdraw", orderAmount="2", orderSymbol="ETH", wallet=str(wallet.pk)
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    assert order["status"] == "PROCESSING_PAYMENT"
    assert order["wallet"] == wallet.address
    assert balance(user, "ETH", Kind.PENDING) == D("2")
    with pytest.raises(Exception) as refused:
        orders.order_approve(order_id=order["id"], staff=staff())
    assert "txId" in str(refused.value.errors)
    orders.order_approve(order_id=order["id"], staff=staff(), tx_id="0xabc")
    row = Order.objects.get(pk=order["id"])
    assert row.tx_id == "0xabc" and row.status == "APPROVED"
    assert balance(user, "ETH", Kind.PENDING) == 0 and balance(user, "ETH") == D("1")
    # What left the custody is the net amount; the commission stays as revenue.
    assert system_balance("ETH", Kind.OMNIBUS) == D("-3") + row.to_amount
    assert system_balance("ETH", Kind.REVENUE) == row.commission_amount
    assert row.to_amount + row.commission_amount == D("2")


def test_withdraw_ico_of_a_token(market, user, user_api):
    from ..instruments.conftest import ETH_ADDRESSES

    wallet = confirmed_wallet(user, symbol="IPSX", address=ETH_ADDRESSES[1])
    fund(user, "IPSX", "1000")
    q = quote(
        user_api,
        user,
        type="token",
        orderType="withdrawIco",
        orderAmount="400",
        orderSymbol="IPSX",
        wallet=wallet.address,
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    orders.order_approve(order_id=order["id"], staff=staff(), tx_id="0xdef")
    assert balance(user, "IPSX") == D("600")


def test_buy_then_withdraw_child_order_follows_its_parent(market, user, user_api):
    card = confirmed_card(user)
    wallet = confirmed_wallet(user)
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="buy_with_fiat",
        secondOrderType="withdraw",
        orderAmount="1",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(card.pk),
        wallet=str(wallet.pk),
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    child = Order.objects.get(pk=order["id"]).child_order
    listed = user_api.get(f"/api/v1/user/{user.pk}/order/{order['id']}").json()["data"]
    assert listed["childOrder"] == {"id": str(child.pk), "publicId": child.public_id}
    assert child.status == "PAYMENT_WAITING" and child.parent_order_id is not None
    s = staff()
    orders.order_payment_received(order_id=order["id"], staff=s)
    orders.order_approve(order_id=order["id"], staff=s)
    child.refresh_from_db()
    assert child.status == "PROCESSING_PAYMENT"
    assert balance(user, "ETH", Kind.PENDING) == D("1")
    orders.order_approve(order_id=child.pk, staff=s, tx_id="0x1")
    assert balance(user, "ETH") == 0 and balance(user, "ETH", Kind.PENDING) == 0


def test_rejected_parent_rejects_its_child(market, user, user_api):
    card = confirmed_card(user)
    wallet = confirmed_wallet(user)
    q = quote(
        user_api,
        user,
        type="coin",
        orderType="buy_with_fiat",
        orderAmount="1",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(card.pk),
        wallet=wallet.address,
    )
    order = confirm(user_api, user, q["id"]).json()["data"]
    orders.order_reject(order_id=order["id"], staff=staff(), reason="card payment failed")
    assert Order.objects.get(pk=order["id"]).child_order.status == "REJECTED"


def test_deposit_claim_credited_once_on_approval(market, user, user_api, other_user, other_api):
    body = {"type": "coin", "symbol": "ETH", "amount": "1.25", "txID": "0xfeed", "wallet": "0xsomewhere"}
    response = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["status"] == "PROCESSING_PAYMENT" and data["typeOperationName"] == "deposit"
    assert data["toAmount"] == "1.250000000000000000" and data["txId"] == "0xfeed"
    assert balance(user, "ETH") == 0
    # the same transaction cannot be claimed again, by anyone
    again = other_api.post(f"/api/v1/user/{other_user.pk}/deposit", body, format="json")
    assert again.status_code == 422
    assert again.json()["errors"] == {"txID": ["The txID has already been claimed."]}
    orders.order_approve(order_id=data["id"], staff=staff())
    assert balance(user, "ETH") == D("1.25")
    assert LedgerEntry.objects.filter(transaction__idempotency_key=f"order:{data['id']}:approve").count() == 2
    assert user.notifications.filter(code="deposit_received").exists()


def test_rejected_deposit_claim_frees_the_tx_id(market, user, user_api):
    body = {"type": "token", "symbol": "IPSX", "amount": "100", "txID": "0xbeef"}
    first = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").json()["data"]
    orders.order_reject(order_id=first["id"], staff=staff(), reason="not found on chain")
    assert user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").status_code == 200
    assert balance(user, "IPSX") == 0


def test_transition_table_refuses_illegal_moves(market, user, user_api):
    body = {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0x1"}
    data = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").json()["data"]
    s = staff()
    orders.order_approve(order_id=data["id"], staff=s)
    for move in (
        lambda: orders.order_reject(order_id=data["id"], staff=s, reason="late"),
        lambda: orders.order_approve(order_id=data["id"], staff=s),
        lambda: orders.order_payment_received(order_id=data["id"], staff=s),
    ):
        with pytest.raises(orders.OrderTransitionNotAllowed):
            move()
    assert balance(user, "ETH") == D("1")


def test_partner_platforms_hear_of_order_status_changes(market, user, user_api):
    from platforms.models import IenEvent, Platform, PlatformUserLink

    partner = Platform.objects.create(code="SHOP", name="Shop", ien_url="https://shop.example/ien")
    PlatformUserLink.objects.create(platform=partner, user=user)
    body = {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0xien"}
    data = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").json()["data"]
    orders.order_approve(order_id=data["id"], staff=staff())
    events = list(IenEvent.objects.filter(platform=partner).order_by("pk"))
    assert [e.type for e in events] == ["order.status", "order.status"]
    assert {e.stream for e in events} == {f"order:{data['id']}"}
    assert [e.payload["status"] for e in events] == ["PROCESSING_PAYMENT", "APPROVED"]


def test_kyc_period_amounts_come_from_approved_orders(market, user, user_api):
    from kyc.selectors import period_amounts

    body = {"type": "coin", "symbol": "ETH", "amount": "2", "txID": "0xkyc"}
    data = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").json()["data"]
    assert period_amounts(user=user) == {"buy": D(0), "sell": D(0)}  # a claim is not a purchase yet
    orders.order_approve(order_id=data["id"], staff=staff())
    assert period_amounts(user=user)["buy"] == D("320.32")  # 2 ETH at 160.16 EUR
