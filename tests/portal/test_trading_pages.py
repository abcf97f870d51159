"""Trading pages over HTTP: buy / sell / withdraw with the price preview, quote → order, proof of payment,
deposits (address with QR code, txId) and transfers. The same services and messages as the API."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.instruments.conftest import ETH_ADDRESSES, png_bytes
from tests.orders import conftest as orders_conftest
from tests.orders.conftest import balance, confirmed_bank, confirmed_card, fund
from trading import orders
from trading.models import Asset
from trading.order_models import Order, Quote
from trading.transfer_models import Transfer

from .conftest import csrf_post, signed_in

pytestmark = pytest.mark.django_db
market = orders_conftest.market  # fresh rates and every operation offered (the orders tests' fixture)

BUY = {"operation": "buy_with_fiat", "symbol": "ETH", "amount": "0.5", "payment_symbol": "EUR"}


@pytest.fixture(autouse=True)
def _kyc_limits_open(db):
    """Level 0 may trade any amount here: these tests are about the pages, not the KYC limits."""
    from kyc.models import KycLevel

    for level in KycLevel.objects.all():
        level.max_buy = level.max_sell = Decimal(10) ** 15
        level.save()


def level_one(*users):
    """KYC level 1 (email and phone): level 0 may not move value between users."""
    from kyc.models import ItemStatus, KycItem

    for user in users:
        KycItem.objects.update_or_create(user=user, kind="phone", defaults={"status": ItemStatus.ACCEPTED})


def test_pages_need_a_session(web):
    for path in ("/trade", "/orders", "/deposit", "/transfers", "/trade/price/buy/EUR/ETH"):
        response = web.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login?next="), path


def test_price_preview_answers_what_the_api_answers(market, web, user, user_api):
    signed_in(web, user)
    path = "/trade/price/buy/EUR/ETH?to_amount=0.5&payment_type=bank"
    page = web.get(path)
    api = user_api.get(f"/api/v1/user/{user.pk}/price/buy/EUR/ETH?to_amount=0.5&payment_type=bank")
    assert page.status_code == 200 and api.status_code == 200
    assert page.json() == api.json()
    bad = web.get("/trade/price/buy/EUR/ETH?to_amount=abc")
    assert bad.status_code == 422
    assert bad.json() == user_api.get(f"/api/v1/user/{user.pk}/price/buy/EUR/ETH?to_amount=abc").json()
    assert web.get("/trade/price/lend/EUR/ETH").status_code == 404
    assert web.get("/trade/price/buy/EUR/NOPE").status_code in (404, 405, 422)


def test_trade_form_shows_the_api_messages(market, web, user):
    signed_in(web, user)
    page = web.get("/trade").content.decode()
    assert 'data-testid="quote-form"' in page and "data-price-preview" in page
    response = csrf_post(web, "/trade", {"operation": "buy_with_fiat", "symbol": "ETH", "amount": "0.5"})
    assert response.status_code == 422
    assert "The order payment symbol field is required when order type is buy_with_fiat." in response.content.decode()
    response = csrf_post(web, "/trade", {**BUY, "amount": "-1", "payment_type": "bank"})
    assert response.status_code == 422
    assert not Quote.objects.exists()


def test_buy_quote_confirm_order_and_proof(market, web, user):
    bank = confirmed_bank(user)
    signed_in(web, user)
    assert str(bank.pk) in web.get("/trade").content.decode()
    response = csrf_post(web, "/trade", {**BUY, "payment_method": str(bank.pk)})
    assert response.status_code == 302, response.content
    quote = Quote.objects.get(user=user)
    assert response["Location"] == f"/trade/quotes/{quote.pk}"
    page = web.get(response["Location"]).content.decode()
    assert f'data-countdown-until="{int(quote.expires_at.timestamp())}"' in page
    assert quote.public_id in page and "Confirm into an order" in page

    response = csrf_post(web, f"/trade/quotes/{quote.pk}")
    order = Order.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}"
    page = web.get(response["Location"]).content.decode()
    assert "Payment instructions" in page and order.public_id in page and 'data-testid="proof-form"' in page
    assert "PAYMENT_WAITING" in page and 'data-testid="order-history"' in page
    # the quote page now links to its order, and may not be confirmed twice
    assert f"/orders/{order.pk}" in web.get(f"/trade/quotes/{quote.pk}").content.decode()
    assert csrf_post(web, f"/trade/quotes/{quote.pk}").status_code >= 400

    # proof through fetch (JSON) as the page's script sends it
    upload = SimpleUploadedFile("proof.png", png_bytes(), content_type="image/png")
    response = csrf_post(web, f"/orders/{order.pk}/proof", {"file": upload}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"message": "Proof of payment successfully uploaded.", "redirect": f"/orders/{order.pk}"}
    order.refresh_from_db()
    assert order.status == "PROCESSING_PAYMENT" and order.proof_id
    page = web.get(f"/orders/{order.pk}").content.decode()
    assert "proof of payment uploaded" in page and 'data-testid="proof-form"' not in page
    # a second proof: the service's refusal with the API's status (403), no 500
    upload = SimpleUploadedFile("proof.png", png_bytes(), content_type="image/png")
    again = csrf_post(web, f"/orders/{order.pk}/proof", {"file": upload})
    assert again.status_code == 403 and "This order payment is already confirmed." in again.content.decode()

    listing = web.get("/orders").content.decode()
    assert order.public_id in listing
    assert order.public_id in web.get("/orders?status=PROCESSING_PAYMENT").content.decode()
    assert order.public_id not in web.get("/orders?status=APPROVED").content.decode()


def test_withdraw_to_a_confirmed_wallet_through_to_the_order(market, web, user, other_user):
    from tests.orders.conftest import confirmed_wallet

    wallet = confirmed_wallet(user)
    theirs = confirmed_wallet(other_user, address=ETH_ADDRESSES[1])
    fund(user, "ETH", "3")
    signed_in(web, user)
    withdraw = {"operation": "withdraw", "symbol": "ETH", "amount": "2"}
    page = web.get("/trade").content.decode()
    assert f'<option value="{wallet.pk}">{wallet.alias} (ETH): {wallet.address}</option>' in page
    assert str(theirs.pk) not in page
    # Only the user's own confirmed wallets are offered; another user's is refused, nothing is quoted.
    refused = csrf_post(web, "/trade", {**withdraw, "wallet": str(theirs.pk)})
    assert refused.status_code == 422 and not Quote.objects.exists()
    missing = csrf_post(web, "/trade", withdraw)
    assert "The wallet field is required when order type is withdraw." in missing.content.decode()

    response = csrf_post(web, "/trade", {**withdraw, "wallet": str(wallet.pk)})
    assert response.status_code == 302, response.content
    quote = Quote.objects.get(user=user)
    assert (quote.operation, quote.wallet_id) == ("withdraw", wallet.pk)
    response = csrf_post(web, f"/trade/quotes/{quote.pk}")
    order = Order.objects.get(user=user)
    assert response["Location"] == f"/orders/{order.pk}"
    page = web.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="order-status">PROCESSING_PAYMENT<' in page and wallet.address in page
    assert 'data-testid="withdrawal-note"' in page and "set aside from your balance" in page
    assert 'data-testid="proof-form"' not in page
    assert balance(user, "ETH", "pending") == Decimal("2") and balance(user, "ETH") == Decimal("1")
    # The dashboard shows the amount set aside and the order among the recent ones.
    dashboard = web.get("/dashboard").content.decode()
    assert "+2 pending" in dashboard and f'href="/orders/{order.pk}"' in dashboard


def test_proof_without_a_file_and_card_placeholder(market, web, user):
    card = confirmed_card(user)
    signed_in(web, user)
    csrf_post(web, "/trade", {**BUY, "payment_method": str(card.pk)})
    quote = Quote.objects.get(user=user)
    csrf_post(web, f"/trade/quotes/{quote.pk}")
    order = Order.objects.get(user=user)
    page = web.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="card-placeholder"' in page and "Placeholder" in page
    response = csrf_post(web, f"/orders/{order.pk}/proof", {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 422 and response.json()["message"]


def test_other_users_objects_are_not_found(market, web, user, other_user):
    bank = confirmed_bank(other_user)
    quote = orders.quote_create(
        user=other_user,
        type="coin",
        order_type="buy_with_fiat",
        order_amount="0.5",
        order_symbol="ETH",
        payment_symbol="EUR",
        payment_method_id=bank.pk,
    )
    order = orders.quote_confirm(user=other_user, quote_id=quote.pk)
    signed_in(web, user)
    assert web.get(f"/trade/quotes/{quote.pk}").status_code == 404
    assert web.get("/trade/quotes/not-a-uuid").status_code == 404
    assert csrf_post(web, f"/trade/quotes/{quote.pk}").status_code == 404
    assert web.get(f"/orders/{order.pk}").status_code == 404
    assert web.get("/orders/nope").status_code == 404
    assert csrf_post(web, f"/orders/{order.pk}/proof", {}).status_code == 404
    assert csrf_post(web, "/transfers/nope/confirm").status_code == 404
    assert web.get("/orders?page=abc").status_code == 404  # as the API answers it
    assert web.get("/orders?status=WHATEVER").status_code == 200


def test_expired_quote_cannot_be_confirmed(market, web, user):
    signed_in(web, user)
    fund(user, "ETH", "2")
    csrf_post(web, "/trade", {"operation": "sell_to_crypto", "symbol": "ETH", "amount": "1", "payment_symbol": "XBT"})
    quote = Quote.objects.get(user=user)
    Quote.objects.filter(pk=quote.pk).update(expires_at=quote.created_at)
    response = csrf_post(web, f"/trade/quotes/{quote.pk}")
    assert response.status_code in (403, 409, 410, 422)
    assert not Order.objects.filter(user=user).exists()


def test_deposit_address_with_qr_and_declared_deposit(market, web, user):
    signed_in(web, user)
    page = web.get("/deposit")
    assert page.status_code == 200 and 'data-testid="deposit-qr"' not in page.content.decode()
    empty = csrf_post(web, "/deposit/address", {"asset": "ETH"})  # the pool is empty: the service's refusal
    assert empty.status_code == 422 and "Unable to process your request." in empty.content.decode()
    orders.deposit_addresses_import(
        chain=Asset.objects.get(symbol="ETH"), addresses=[ETH_ADDRESSES[0]], destination="broker", type="cold"
    )
    response = csrf_post(web, "/deposit/address", {"asset": "ETH"})
    body = response.content.decode()
    assert response.status_code == 200 and ETH_ADDRESSES[0] in body
    assert 'data-testid="deposit-qr"' in body and "<svg" in body
    assert csrf_post(web, "/deposit/address", {"asset": ""}).status_code == 422

    response = csrf_post(web, "/deposit", {"symbol": "ETH", "amount": "1.25", "tx_id": "0xfeed"})
    deposit = Order.objects.get(user=user, operation="deposit")
    assert response.status_code == 302 and response["Location"] == f"/orders/{deposit.pk}"
    assert deposit.tx_id == "0xfeed" and deposit.status == "PROCESSING_PAYMENT"
    again = csrf_post(web, "/deposit", {"symbol": "ETH", "amount": "1.25", "tx_id": "0xfeed"})
    assert again.status_code == 422 and "The txID has already been claimed." in again.content.decode()
    missing = csrf_post(web, "/deposit", {"symbol": "ETH", "amount": "1"})
    assert missing.status_code == 422 and "The txID field is required." in missing.content.decode()
    assert deposit.public_id in web.get("/deposit").content.decode()


def test_send_a_transfer_and_confirm_it(market, web, user, other_user):
    fund(user, "ETH", "2")
    level_one(user, other_user)
    signed_in(web, user)
    response = csrf_post(
        web, "/transfers", {"action": "send", "symbol": "ETH", "amount": "0.5", "user": other_user.email}
    )
    assert response.status_code == 302, response.content
    transfer = Transfer.objects.get()
    page = web.get("/transfers").content.decode()
    assert transfer.public_id in page and f'data-countdown-until="{int(transfer.life_until_at.timestamp())}"' in page
    assert f"/transfers/{transfer.pk}/confirm" in page
    response = csrf_post(web, f"/transfers/{transfer.pk}/confirm")
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "completed"
    assert balance(other_user, "ETH") > 0
    # confirming again: the service's refusal as a message, not an error page
    response = csrf_post(web, f"/transfers/{transfer.pk}/confirm")
    assert response.status_code == 302
    assert "completed" in web.get("/transfers").content.decode()


def test_request_a_transfer_refused_by_the_payer(market, web, user, other_user):
    fund(other_user, "ETH", "1")
    level_one(user, other_user)
    signed_in(web, user)
    body = {"action": "receive", "symbol": "ETH", "amount": "0.25", "user": other_user.email}
    assert csrf_post(web, "/transfers", body).status_code == 302
    transfer = Transfer.objects.get()
    assert f"/transfers/{transfer.pk}/confirm" not in web.get("/transfers").content.decode()  # not the payer
    signed_in(web, other_user)
    assert f"/transfers/{transfer.pk}/confirm" in web.get("/transfers").content.decode()
    assert csrf_post(web, f"/transfers/{transfer.pk}/refuse").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "refused"


def test_transfer_form_shows_the_api_messages(market, web, user):
    signed_in(web, user)
    response = csrf_post(web, "/transfers", {"action": "send", "symbol": "ETH", "amount": "0", "user": "x@y.z"})
    assert response.status_code == 422 and "The selected amount is invalid." in response.content.decode()
    response = csrf_post(web, "/transfers", {"action": "send", "symbol": "ETH", "amount": "1", "user": "nobody@x.y"})
    assert response.status_code == 422
    assert not Transfer.objects.exists()


def test_nav_links(web, user):
    signed_in(web, user)
    page = web.get("/dashboard").content.decode()
    for path in ("/trade", "/transfers"):
        assert f'href="{path}"' in page
    trade = web.get("/trade").content.decode()
    for path in ("/orders", "/deposit"):
        assert f'href="{path}"' in trade
