"""Quote, order, deposit and balance endpoints: validation rules, filters, pages, refusals."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from accounts.models import InstrumentStatus
from trading import orders
from trading.models import OperationConfig
from trading.order_models import DepositAddress, Order, Quote

from ..instruments.conftest import ETH_ADDRESSES, image_upload, make_bank
from .conftest import confirmed_bank, confirmed_card, confirmed_wallet, fund

D = Decimal
pytestmark = pytest.mark.django_db

BUY = {
    "type": "coin",
    "orderType": "buy_with_fiat",
    "orderAmount": "0.5",
    "orderSymbol": "ETH",
    "orderPaymentSymbol": "EUR",
}


def post_quote(api, user, **body):
    return api.post(f"/api/v1/user/{user.pk}/quote", body, format="json")


def errors_of(response):
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def test_quote_requires_its_fields(market, user, user_api):
    errors = errors_of(post_quote(user_api, user))
    assert errors["type"] == ["The type field is required."]
    assert errors["orderType"] == ["The order type field is required."]
    assert errors["orderAmount"] == ["The order amount field is required."]
    assert errors["orderSymbol"] == ["The order symbol field is required."]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"type": "fiat"}, "type"),
        ({"orderType": "deposit"}, "orderType"),
        ({"orderAmount": "abc"}, "orderAmount"),
        ({"orderAmount": "-1"}, "orderAmount"),
        ({"orderAmount": "0.1234567890123456789"}, "orderAmount"),
        ({"orderSymbol": "IPSX"}, "orderSymbol"),  # a token with type coin
        ({"orderSymbol": "EUR"}, "orderSymbol"),
        ({"orderPaymentSymbol": "XBT"}, "orderPaymentSymbol"),  # buy_with_fiat paid in crypto
        ({"orderPaymentSymbol": None}, "orderPaymentSymbol"),
        ({"orderPaymentMethod": "not-a-uuid", "orderPaymentType": "bank"}, "orderPaymentMethod"),
        ({"orderPaymentType": "cash"}, "orderPaymentType"),
        ({"secondOrderType": "deposit", "orderPaymentType": "bank"}, "secondOrderType"),
    ],
)
def test_quote_validation_rules(market, user, user_api, change, field):
    body = {**BUY, "orderPaymentType": "bank", **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert field in errors_of(post_quote(user_api, user, **body))


def test_fiat_quote_needs_a_method_or_a_type(market, user, user_api):
    errors = errors_of(post_quote(user_api, user, **BUY))
    assert errors == {
        "orderPaymentType": ["The order payment type field is required when order payment method is not present."]
    }


def test_payment_method_must_be_the_users_and_confirmed(market, user, user_api, other_user):
    foreign = confirmed_bank(other_user)
    assert "orderPaymentMethod" in errors_of(post_quote(user_api, user, **BUY, orderPaymentMethod=str(foreign.pk)))
    pending = make_bank(user, iban="DE75512108001245126199", swift="COBADEFFXXX", currency="EUR")
    assert errors_of(post_quote(user_api, user, **BUY, orderPaymentMethod=str(pending.pk))) == {
        "orderPaymentMethod": ["The order payment method must be confirmed before it is used."]
    }
    ron = make_bank(user, currency="RON", status=InstrumentStatus.CONFIRMED)
    assert "orderPaymentMethod" in errors_of(post_quote(user_api, user, **BUY, orderPaymentMethod=str(ron.pk)))


def test_withdraw_wallet_must_be_the_users_confirmed_one_on_the_chain(market, user, user_api, other_user):
    body = {"type": "coin", "orderType": "withdraw", "orderAmount": "1", "orderSymbol": "ETH"}
    assert errors_of(post_quote(user_api, user, **body)) == {
        "wallet": ["The wallet field is required when order type is withdraw."]
    }
    foreign = confirmed_wallet(other_user, address=ETH_ADDRESSES[2])
    assert "wallet" in errors_of(post_quote(user_api, user, **body, wallet=str(foreign.pk)))
    pending = confirmed_wallet(user, address=ETH_ADDRESSES[3], status=InstrumentStatus.PENDING)
    assert errors_of(post_quote(user_api, user, **body, wallet=pending.address)) == {
        "wallet": ["The wallet must be confirmed before it is used."]
    }
    xbt = {**body, "orderSymbol": "XBT"}
    mine = confirmed_wallet(user)
    assert errors_of(post_quote(user_api, user, **xbt, wallet=str(mine.pk))) == {
        "wallet": ["The wallet must be on the chain of the order symbol."]
    }
    assert post_quote(user_api, user, **body, wallet=mine.address.lower()).status_code == 201


def test_disabled_operation_is_405(market, user, user_api):
    OperationConfig.objects.filter(asset__symbol="ETH", operation="buy_with_fiat").update(status=False)
    from trading.selectors import market_config_invalidate

    market_config_invalidate()
    response = post_quote(user_api, user, **BUY, orderPaymentType="bank")
    assert response.status_code == 405
    assert response.json() == {"message": "Operation not available!", "errors": {}}


def test_limits_of_the_operation(market, user, user_api):
    for config in OperationConfig.objects.filter(
        platform__code="CCPRO", asset__symbol="ETH", operation="buy_with_fiat"
    ):
        config.crypto_min, config.crypto_max = D("0.1"), D("2")
        config.save()
    assert "orderAmount" in errors_of(
        post_quote(user_api, user, **{**BUY, "orderAmount": "0.01"}, orderPaymentType="bank")
    )
    assert "orderAmount" in errors_of(
        post_quote(user_api, user, **{**BUY, "orderAmount": "3"}, orderPaymentType="bank")
    )
    assert post_quote(user_api, user, **BUY, orderPaymentType="bank").status_code == 201


def test_inactive_and_self_deleting_accounts(market, user, user_api):
    user.self_deleted_at = timezone.now()
    user.save()
    response = post_quote(user_api, user, **BUY, orderPaymentType="bank")
    assert response.status_code == 412
    assert response.json() == {"error": "This action is not available due Self Delete Account procedure."}
    user.is_active = False
    user.save()
    response = post_quote(user_api, user, **BUY, orderPaymentType="bank")
    assert response.status_code == 403
    assert response.json() == {"error": "Your account is inactive."}
    assert user_api.get(f"/api/v1/user/{user.pk}/quote").json() == {"message": "Your account is inactive."}
    assert not Quote.objects.exists()


def test_quote_confirm_refusals(market, user, user_api, other_user, other_api):
    quote = post_quote(user_api, user, **BUY, orderPaymentType="bank").json()["data"]
    path = f"/api/v1/user/{user.pk}/quote/{quote['id']}"
    # no payment method yet: required at confirmation
    assert errors_of(user_api.post(path, {}, format="json")) == {
        "orderPaymentMethod": ["The order payment method field is required."]
    }
    # somebody else's quote through their own path is not found
    other = other_api.post(f"/api/v1/user/{other_user.pk}/quote/{quote['id']}", {}, format="json")
    assert other.status_code == 404
    bank = confirmed_bank(user)
    assert user_api.post(path, {"orderPaymentMethod": str(bank.pk)}, format="json").status_code == 201
    again = user_api.post(path, {"orderPaymentMethod": str(bank.pk)}, format="json")
    assert again.status_code == 403
    assert again.json() == {"message": "This quote is already processed."}
    assert Order.objects.count() == 1
    assert Quote.objects.get(pk=quote["id"]).bank_id == bank.pk


def test_an_expired_quote_cannot_be_confirmed(market, user, user_api):
    card = confirmed_card(user)
    quote = post_quote(user_api, user, **BUY, orderPaymentMethod=str(card.pk)).json()["data"]
    Quote.objects.filter(pk=quote["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "This quote has expired."}
    assert orders.quote_expire_due() == 1
    assert orders.quote_expire_due() == 0  # idempotent
    assert Quote.objects.get(pk=quote["id"]).status == "expired"
    assert user.notifications.filter(code="quote_expired").count() == 1
    response = user_api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json")
    assert response.json() == {"message": "This quote has expired."}


def test_quote_list_filters_and_show(market, user, user_api):
    card = confirmed_card(user)
    fund(user, "ETH", "5")
    first = post_quote(user_api, user, **BUY, orderPaymentMethod=str(card.pk)).json()["data"]
    sell = post_quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_crypto",
        orderAmount="1",
        orderSymbol="ETH",
        orderPaymentSymbol="XBT",
    ).json()["data"]
    user_api.post(f"/api/v1/user/{user.pk}/quote/{sell['id']}", {}, format="json")
    response = user_api.get(f"/api/v1/user/{user.pk}/quote")
    assert [q["id"] for q in response.json()["data"]] == [sell["id"], first["id"]]
    assert response["X-Total"] == "2"
    completed = user_api.get(f"/api/v1/user/{user.pk}/quote?status=completed").json()["data"]
    assert [q["id"] for q in completed] == [sell["id"]]
    assert completed[0]["confirmUrl"] is None and completed[0]["order"]["id"] is not None
    by_type = user_api.get(f"/api/v1/user/{user.pk}/quote?type=buy_with_fiat&asset=eth").json()["data"]
    assert [q["id"] for q in by_type] == [first["id"]]
    assert errors_of(user_api.get(f"/api/v1/user/{user.pk}/quote?status=open")) == {
        "status": ["The selected status is invalid."]
    }
    shown = user_api.get(f"/api/v1/user/{user.pk}/quote/{sell['id']}").json()["data"]
    assert shown["order"]["status"] == "APPROVED" and shown["checkout"] is None
    assert user_api.get(f"/api/v1/user/{user.pk}/quote/not-a-uuid").status_code == 404


def test_confirm_url_opens_the_portal_page_and_confirms(market, user, user_api, client):
    card = confirmed_card(user)
    quote = post_quote(user_api, user, **BUY, orderPaymentMethod=str(card.pk)).json()["data"]
    url = urlparse(quote["confirmUrl"])
    page = client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200
    assert quote["publicId"].encode() in page.content
    tampered = client.get(f"{url.path}?{url.query.replace('lang=en', 'lang=ro')}")
    assert tampered.status_code == 404
    done = client.post(f"{url.path}?{url.query}")
    assert done.status_code == 200
    assert Quote.objects.get(pk=quote["id"]).status == "completed"
    assert Order.objects.filter(quote_id=quote["id"]).count() == 1


def test_order_lists_filters_pages_and_detail(market, user, user_api, other_user, other_api):
    for n in range(30):
        user_api.post(
            f"/api/v1/user/{user.pk}/deposit",
            {
                "type": "coin" if n % 3 else "token",
                "symbol": "ETH" if n % 3 else "IPSX",
                "amount": "1",
                "txID": f"0x{n}",
            },
            format="json",
        )
    base = f"/api/v1/user/{user.pk}/order"
    response = user_api.get(base)
    page1 = response.json()
    assert len(page1["data"]) == 25 and list(page1) == ["data"]
    assert [response[h] for h in ("X-Total", "X-Current-Page", "X-Per-Page", "X-Last-Page")] == ["30", "1", "25", "2"]
    assert len(user_api.get(f"{base}?page=2").json()["data"]) == 5
    assert user_api.get(f"{base}/coin")["X-Total"] == "20"
    tokens = user_api.get(f"{base}/token").json()["data"]
    assert len(tokens) == 10 and {o["type"] for o in tokens} == {"token"}
    filtered = user_api.get(f"{base}?asset=IPSX&typeOperationName=deposit&status=PROCESSING_PAYMENT")
    assert filtered["X-Total"] == "10"
    assert user_api.get(f"{base}?status=APPROVED").json()["data"] == []
    assert "typeOperationName" in errors_of(user_api.get(f"{base}?typeOperationName=steal"))
    order_id = page1["data"][0]["id"]
    detail = user_api.get(f"{base}/{order_id}").json()["data"]
    # with no KYC item accepted the user is at level 0; the KYC service names the level these deposits need
    assert detail["quote"] is None and detail["kycLevelRequired"] >= 1
    assert other_api.get(f"/api/v1/user/{other_user.pk}/order/{order_id}").status_code == 404
    assert other_api.get(f"/api/v1/user/{user.pk}/order/{order_id}").status_code == 409
    assert other_api.get(f"/api/v1/user/{other_user.pk}/order").json()["data"] == []


def test_payment_confirmation_refusals(market, user, user_api):
    fund(user, "ETH", "1")
    bank = confirmed_bank(user)
    sell = post_quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_fiat",
        orderAmount="1",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(bank.pk),
    ).json()["data"]
    order = user_api.post(f"/api/v1/user/{user.pk}/quote/{sell['id']}", {}, format="json").json()["data"]
    path = f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation"
    response = user_api.post(path, {"file": image_upload()}, format="multipart")
    assert response.status_code == 403
    assert response.json() == {"message": "This order do not require payment proof confirmation."}
    buy = post_quote(user_api, user, **BUY, orderPaymentMethod=str(bank.pk)).json()["data"]
    order = user_api.post(f"/api/v1/user/{user.pk}/quote/{buy['id']}", {}, format="json").json()["data"]
    path = f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation"
    assert errors_of(user_api.post(path, {}, format="multipart")) == {"file": ["The file field is required."]}
    bad = user_api.post(path, {"file": image_upload("x.png", data=b"not an image")}, format="multipart")
    assert "file" in errors_of(bad)
    assert Order.objects.get(pk=order["id"]).status == "PAYMENT_WAITING"
    assert user_api.post(f"/api/v1/user/{user.pk}/order/{order['id']}x/payment-confirmation").status_code == 404


def test_deposit_refusals(market, user, user_api):
    path = f"/api/v1/user/{user.pk}/deposit"
    errors = errors_of(user_api.post(path, {}, format="json"))
    assert errors["txID"] == ["The txID field is required."]
    assert "symbol" in errors_of(
        user_api.post(path, {"type": "token", "symbol": "ETH", "amount": "1", "txID": "a"}, format="json")
    )
    OperationConfig.objects.filter(asset__symbol="ETH", operation="deposit").update(status=False)
    from trading.selectors import market_config_invalidate

    market_config_invalidate()
    response = user_api.post(path, {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "a"}, format="json")
    assert response.status_code == 406
    assert response.json() == {"message": "This type of operation is not allowed."}
    assert not Order.objects.exists()


def test_deposit_address_pool(market, user, user_api, other_user, other_api):
    path = f"/api/v1/user/{user.pk}/deposit/address"
    response = user_api.post(path, {"asset": "ETH"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "Unable to process your request."}
    from trading.models import Asset

    report = orders.deposit_addresses_import(
        chain=Asset.objects.get(symbol="ETH"),
        addresses=[ETH_ADDRESSES[0], ETH_ADDRESSES[1].lower(), ETH_ADDRESSES[0], "nonsense", ""],
        destination="broker",
        type="cold",
    )
    assert report == {"created": 2, "duplicates": 1, "invalid": [(4, "nonsense")]}
    first = user_api.post(path, {"asset": "ETH"}, format="json").json()["data"]
    assert first["chain"] == "ETH" and first["destination"] == "broker" and first["status"] == "enabled"
    assert user_api.post(path, {"asset": "eth", "destination": "broker"}, format="json").json()["data"] == first
    token = user_api.post(path, {"asset": "IPSX"}, format="json").json()["data"]  # same chain, another asset
    assert token["address"] != first["address"]
    assert (
        other_api.post(f"/api/v1/user/{other_user.pk}/deposit/address", {"asset": "ETH"}, format="json").status_code
        == 403
    )
    assert "asset" in errors_of(user_api.post(path, {"asset": "EUR"}, format="json"))
    assert DepositAddress.objects.filter(user__isnull=True).count() == 0


def test_balances(market, user, user_api):
    fund(user, "ETH", "2")
    fund(user, "IPSX", "350")
    bank = confirmed_bank(user)
    sell = post_quote(
        user_api,
        user,
        type="coin",
        orderType="sell_to_fiat",
        orderAmount="0.5",
        orderSymbol="ETH",
        orderPaymentSymbol="EUR",
        orderPaymentMethod=str(bank.pk),
    ).json()["data"]
    user_api.post(f"/api/v1/user/{user.pk}/quote/{sell['id']}", {}, format="json")
    data = user_api.get(f"/api/v1/user/{user.pk}/balances").json()["data"]
    eth = next(c for c in data["coins"] if c["symbol"] == "ETH")
    assert eth["amounts"]["crypto"] == {"available": "1.500000000000000000", "pending": "0.500000000000000000"}
    assert eth["amounts"]["fiat"] == {"available": "240.24", "pending": "80.08"}  # ETH at 160.16 EUR
    assert eth["favorite"] is True and eth["alias"] == "ETH"
    assert eth["rates"]["raw"]["now"] == "160.16000"
    xbt = next(c for c in data["coins"] if c["symbol"] == "XBT")
    assert xbt["amounts"]["crypto"]["available"] == "0.00000000" and xbt["favorite"] is False
    ipsx = data["tokens"][0]
    assert ipsx["amounts"]["crypto"]["available"] == "350.000000000000000000" and "alias" not in ipsx
    only = user_api.get(f"/api/v1/user/{user.pk}/balances/ipsx").json()["data"]
    assert list(only) == ["tokens"] and only["tokens"][0]["symbol"] == "IPSX"
    assert user_api.get(f"/api/v1/user/{user.pk}/balances/EUR").status_code == 404
    assert user_api.get(f"/api/v1/user/{user.pk}/balances/NOPE").status_code == 404


def test_expiry_sweep_in_batches_both_paths(market, user, user_api, other_user):
    from notifications.models import Notification
    from trading.orders import _expire_batch_orm

    from ..gates.registry import make_quote

    past = timezone.now() - timedelta(seconds=1)
    other_user.language = "ro"
    other_user.save()
    for owner in (user, other_user):
        for _ in range(3):
            make_quote(owner, expires_at=past)
    make_quote(user)  # not due
    assert orders.quote_expire_due(batch_size=2) == 6
    assert Quote.objects.filter(status="expired").count() == 6
    ro = Notification.objects.filter(user=other_user, code="quote_expired").first()
    assert ro.language == "ro" and ro.message.startswith("Oferta ta ") and ro.meta["publicId"] in ro.message
    assert str(Quote.objects.get(public_id=ro.meta["publicId"]).pk) == ro.meta["id"]
    make_quote(user, expires_at=past)
    assert _expire_batch_orm(now=timezone.now(), batch_size=10) == 1  # the portable path (SQLite)
    assert Notification.objects.filter(code="quote_expired").count() == 7


def test_permanent_notifications_name_available_quotes_and_waiting_orders(market, user, user_api):
    from notifications.selectors import permanent_notification_list

    codes = lambda: {n["code"] for n in permanent_notification_list(user=type(user).objects.get(pk=user.pk))[0]}  # noqa: E731
    assert not {"quote_available", "order_payment_waiting"} & codes()
    card = confirmed_card(user)
    quote = post_quote(user_api, user, **BUY, orderPaymentMethod=str(card.pk)).json()["data"]
    assert "quote_available" in codes()
    user_api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json")
    assert codes() & {"quote_available", "order_payment_waiting"} == {"order_payment_waiting"}


def test_confirm_url_token_is_what_pyjwt_makes(market, user, user_api):
    import jwt
    from django.conf import settings

    quote = post_quote(user_api, user, **BUY, orderPaymentType="bank").json()["data"]
    token = urlparse(quote["confirmUrl"]).path.rsplit("/", 1)[1]
    payload = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS512"])
    assert payload["quote"] == quote["id"] and payload["user"] == str(user.pk) and payload["email"] == user.email
    assert jwt.encode(payload, settings.SECRET_KEY, algorithm="HS512") == token


def test_quote_create_is_two_statements_when_no_platform_listens(market, user, user_api):
    """Warm: the token lookup and the INSERT. The configuration, the user's market and the rates come from the
    cache in one round trip, and no partner platform has an IEN URL, so nobody is asked whether they listen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert post_quote(user_api, user, **BUY, orderPaymentType="bank").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = post_quote(user_api, user, **BUY, orderPaymentType="bank")
    assert response.status_code == 201, response.content
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert statements == ["SELECT", "INSERT"], [query["sql"][:80] for query in queries.captured_queries]
