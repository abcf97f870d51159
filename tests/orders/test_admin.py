"""Back office: queues, actions through the transition service, nothing editable, the address import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trading.ledger import Kind
from trading.order_models import DepositAddress, Order, OrderStatusChange

from ..conftest import staff_login
from ..factories import UserFactory
from ..instruments.conftest import ETH_ADDRESSES, image_upload
from .conftest import balance, confirmed_bank, confirmed_wallet, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    staff_login(client, staff)
    client.staff = staff
    return client


def _buy_with_proof(user, user_api):
    bank = confirmed_bank(user)
    body = {
        "type": "coin",
        "orderType": "buy_with_fiat",
        "orderAmount": "0.5",
        "orderSymbol": "ETH",
        "orderPaymentSymbol": "EUR",
        "orderPaymentMethod": str(bank.pk),
    }
    quote = user_api.post(f"/api/v1/user/{user.pk}/quote", body, format="json").json()["data"]
    order = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json").json()["data"]
    path = f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation"
    assert user_api.post(path, {"file": image_upload()}, format="multipart").status_code == 200
    return Order.objects.get(pk=order["id"])


def test_payment_review_queue_shows_the_proof_and_approves(market, user, user_api, staff_client):
    order = _buy_with_proof(user, user_api)
    listing = staff_client.get(reverse("admin:trading_paymentrevieworder_changelist"))
    assert order.public_id.encode() in listing.content
    page = staff_client.get(reverse("admin:trading_paymentrevieworder_change", args=[order.pk]))
    assert page.status_code == 200
    assert f"/files/{order.proof_id}".encode() in page.content
    assert b'name="_save"' not in page.content
    response = staff_client.post(
        reverse("admin:trading_paymentrevieworder_changelist"),
        {"action": "approve_selected", "_selected_action": [order.pk], "apply": "1", "reason": "transfer seen"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "APPROVED" and balance(user, "ETH") == Decimal("0.5")
    change = OrderStatusChange.objects.filter(order=order).last()
    assert (change.actor, change.actor_user, change.reason) == ("Staff", staff_client.staff, "transfer seen")
    assert (
        order.public_id.encode() not in staff_client.get(reverse("admin:trading_paymentrevieworder_changelist")).content
    )


def test_reject_asks_for_a_reason_then_releases(market, user, user_api, staff_client):
    wallet = confirmed_wallet(user)
    fund(user, "ETH", "1")
    body = {"type": "coin", "orderType": "withdraw", "orderAmount": "1", "orderSymbol": "ETH", "wallet": str(wallet.pk)}
    quote = user_api.post(f"/api/v1/user/{user.pk}/quote", body, format="json").json()["data"]
    order = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json").json()["data"]
    url = reverse("admin:trading_withdrawaltosend_changelist")
    assert order["publicId"].encode() in staff_client.get(url).content
    form = staff_client.post(url, {"action": "reject_selected", "_selected_action": [order["id"]]})
    assert form.status_code == 200 and b"Reason" in form.content
    staff_client.post(
        url,
        {"action": "reject_selected", "_selected_action": [order["id"]], "apply": "1", "reason": "sanctioned address"},
    )
    assert Order.objects.get(pk=order["id"]).status == "REJECTED"
    assert balance(user, "ETH") == Decimal("1") and balance(user, "ETH", Kind.PENDING) == 0


def test_send_withdrawal_records_the_tx_id(market, user, user_api, staff_client):
    wallet = confirmed_wallet(user)
    fund(user, "ETH", "1")
    body = {"type": "coin", "orderType": "withdraw", "orderAmount": "1", "orderSymbol": "ETH", "wallet": str(wallet.pk)}
    quote = user_api.post(f"/api/v1/user/{user.pk}/quote", body, format="json").json()["data"]
    order = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json").json()["data"]
    url = reverse("admin:trading_withdrawaltosend_changelist")
    missing = staff_client.post(url, {"action": "send_selected", "_selected_action": [order["id"]], "apply": "1"})
    assert missing.status_code == 200 and Order.objects.get(pk=order["id"]).status == "PROCESSING_PAYMENT"
    staff_client.post(
        url, {"action": "send_selected", "_selected_action": [order["id"]], "apply": "1", "tx_id": "0xsent"}
    )
    row = Order.objects.get(pk=order["id"])
    assert (row.status, row.tx_id) == ("APPROVED", "0xsent")


def test_deposit_queue_and_illegal_moves_are_warnings(market, user, user_api, staff_client):
    data = user_api.post(
        f"/api/v1/user/{user.pk}/deposit",
        {"type": "coin", "symbol": "ETH", "amount": "2", "txID": "0xq"},
        format="json",
    ).json()["data"]
    url = reverse("admin:trading_deposittoconfirm_changelist")
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, {"action": "approve_selected", "_selected_action": [data["id"]], "apply": "1"})
    assert balance(user, "ETH") == Decimal("2")
    all_orders = reverse("admin:trading_order_changelist")
    response = staff_client.post(
        all_orders, {"action": "approve_selected", "_selected_action": [data["id"]], "apply": "1"}, follow=True
    )
    assert b"cannot move from APPROVED" in response.content
    assert balance(user, "ETH") == Decimal("2")


def test_the_change_form_edits_nothing(market, user, user_api, staff_client):
    order = _buy_with_proof(user, user_api)
    url = reverse("admin:trading_order_change", args=[order.pk])
    staff_client.post(url, {"status": "APPROVED", "to_amount": "100"})
    order.refresh_from_db()
    assert order.status == "PROCESSING_PAYMENT" and order.to_amount == Decimal("0.5")
    assert staff_client.get(reverse("admin:trading_order_add")).status_code == 403


def test_address_import(market, staff_client):
    url = reverse("admin:trading_depositaddress_import")
    from trading.models import Asset

    eth = Asset.objects.get(symbol="ETH")
    upload = SimpleUploadedFile("pool.csv", f"{ETH_ADDRESSES[0]},x\n{ETH_ADDRESSES[1]}\nbogus\n".encode())
    response = staff_client.post(
        url,
        {"chain": eth.pk, "destination": "broker", "type": "cold", "file": upload, "addresses": ETH_ADDRESSES[0]},
    )
    assert response.status_code == 200
    assert b"line 3: bogus" in response.content
    assert DepositAddress.objects.count() == 2
    assert staff_client.get(reverse("admin:trading_depositaddress_changelist")).status_code == 200
