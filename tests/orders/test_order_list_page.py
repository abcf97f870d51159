"""The order list's page (`trading.order_selectors.order_page`: fixed statements, cached total) answers exactly
what the ORM path it replaced answers: the same bodies, filters, pages and headers, and a total that follows
every new order and status change."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from platforms.models import Platform, PlatformUserLink
from trading import order_selectors, orders
from trading.models import Asset
from trading.order_apis import order_body
from trading.order_models import Order

from ..factories import UserFactory
from ..instruments.conftest import image_upload
from .conftest import confirmed_bank, confirmed_card, confirmed_wallet, fund

D = Decimal
pytestmark = pytest.mark.django_db

HEADERS = ("X-Total", "X-Current-Page", "X-Per-Page", "X-Last-Page")


def orm_bodies(user) -> list[dict]:
    """The bodies as the ORM path built them (select_related + prefetched children, model instances)."""
    qs = order_selectors.with_order_relations(Order.objects.filter(user=user).order_by("-created_at", "-id"))
    return [order_body(order) for order in qs]


def quote(api, user, **body):
    response = api.post(f"/api/v1/user/{user.pk}/quote", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def confirm(api, user, quote_id):
    response = api.post(f"/api/v1/user/{user.pk}/quote/{quote_id}", {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def every_kind_of_order(user, user_api):
    """Orders with each thing a list body shows: a deposit (no from side), a token, a buy with a card, a quote, a
    withdrawal child and a parent, a proof of payment, a bank, a sale, a partner platform with and without a
    URL, the house platform."""
    staff = UserFactory(is_staff=True)
    fund(user, "ETH", "3")
    card, bank, wallet = confirmed_card(user), confirmed_bank(user), confirmed_wallet(user)
    for n, (kind, symbol) in enumerate([("coin", "ETH"), ("token", "IPSX")]):
        body = {"type": kind, "symbol": symbol, "amount": "1.5", "txID": f"0xlist{n}"}
        assert user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").status_code == 200
    buy = {"type": "coin", "orderType": "buy_with_fiat", "orderSymbol": "ETH", "orderPaymentSymbol": "EUR"}
    parent = confirm(
        user_api,
        user,
        quote(
            user_api,
            user,
            **buy,
            orderAmount="1",
            secondOrderType="withdraw",
            orderPaymentMethod=str(card.pk),
            wallet=str(wallet.pk),
        )["id"],
    )
    proved = confirm(
        user_api, user, quote(user_api, user, **buy, orderAmount="0.25", orderPaymentMethod=str(bank.pk))["id"]
    )
    path = f"/api/v1/user/{user.pk}/order/{proved['id']}/payment-confirmation"
    assert user_api.post(path, {"file": image_upload()}, format="multipart").status_code == 200
    sale = {"type": "coin", "orderType": "sell_to_fiat", "orderSymbol": "ETH", "orderPaymentSymbol": "EUR"}
    confirm(user_api, user, quote(user_api, user, **sale, orderAmount="0.5", orderPaymentMethod=str(bank.pk))["id"])
    orders.order_payment_received(order_id=parent["id"], staff=staff)
    orders.order_approve(order_id=parent["id"], staff=staff)
    shop = Platform.objects.create(code="SHOP", name="Shop", base_url="https://shop.example")
    bare = Platform.objects.create(code="BARE", name="Bare")
    Order.objects.filter(pk=proved["id"]).update(platform=shop)
    house = Platform.objects.get(code="CCPRO")
    first_deposit = Order.objects.filter(user=user, operation="deposit").order_by("created_at").first()
    Order.objects.filter(pk=first_deposit.pk).update(platform=house)
    last_deposit = Order.objects.filter(user=user, operation="deposit").order_by("created_at").last()
    Order.objects.filter(pk=last_deposit.pk).update(platform=bare)


def test_the_list_bodies_are_the_orm_bodies(market, user, user_api):
    every_kind_of_order(user, user_api)
    expected = orm_bodies(user)
    assert {b["typeOperationName"] for b in expected} >= {"deposit", "buy_with_fiat", "withdraw", "sell_to_fiat"}
    assert any(b["childOrder"]["id"] for b in expected) and any(b["parentOrder"]["id"] for b in expected)
    assert any(b["payment"]["proofUploaded"] for b in expected) and any(b["quote"]["id"] for b in expected)
    assert {b["externalPlatform"]["code"] for b in expected} == {None, "SHOP", "BARE"}
    response = user_api.get(f"/api/v1/user/{user.pk}/order")
    assert response.status_code == 200
    assert response.json() == {"data": expected}
    assert [response[h] for h in HEADERS] == [str(len(expected)), "1", "25", "1"]
    # the JSON text too: the same keys in the same order
    assert response.content == user_api.get(f"/api/v1/user/{user.pk}/order").content
    import json

    assert response.content.decode() == json.dumps({"data": expected}, separators=(",", ":"), ensure_ascii=False)


def test_filters_and_pages_match_the_orm(market, user, user_api):
    every_kind_of_order(user, user_api)
    for n in range(30):
        body = {"type": "coin", "symbol": "ETH", "amount": "0.1", "txID": f"0xpage{n}"}
        user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json")
    everything = orm_bodies(user)
    base = f"/api/v1/user/{user.pk}/order"
    cases = {
        "": everything,
        "/coin": [b for b in everything if b["type"] == "coin"],
        "/token": [b for b in everything if b["type"] == "token"],
        "?status=PROCESSING_PAYMENT": [b for b in everything if b["status"] == "PROCESSING_PAYMENT"],
        "?typeOperationName=buy_with_fiat": [b for b in everything if b["typeOperationName"] == "buy_with_fiat"],
        "?asset=eur": [b for b in everything if "EUR" in (b["fromSymbol"], b["toSymbol"])],
        "/coin?asset=ETH&status=APPROVED": [
            b
            for b in everything
            if b["type"] == "coin" and b["status"] == "APPROVED" and "ETH" in (b["fromSymbol"], b["toSymbol"])
        ],
        "?asset=NOPE": [],
    }
    for query, expected in cases.items():
        pages = max(1, -(-len(expected) // 25))
        for page in range(1, pages + 2):
            joiner = "&" if "?" in query else "?"
            response = user_api.get(f"{base}{query}{joiner}page={page}")
            assert response.status_code == 200, (query, page)
            assert response.json()["data"] == expected[(page - 1) * 25 : page * 25], (query, page)
            assert [response[h] for h in HEADERS] == [str(len(expected)), str(page), "25", str(pages)], query
    for bad in ("0", "-1", "x", "1.5"):
        assert user_api.get(f"{base}?page={bad}").status_code == 404


def test_the_total_follows_new_orders_and_status_changes(market, user, user_api):
    base = f"/api/v1/user/{user.pk}/order"
    assert user_api.get(base)["X-Total"] == "0"
    body = {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0xtotal1"}
    first = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").json()["data"]
    assert user_api.get(base)["X-Total"] == "1"  # cached at 0 a moment ago
    assert user_api.get(f"{base}?status=APPROVED")["X-Total"] == "0"
    assert user_api.get(f"{base}?status=PROCESSING_PAYMENT")["X-Total"] == "1"
    orders.order_approve(order_id=first["id"], staff=UserFactory(is_staff=True))
    assert user_api.get(f"{base}?status=APPROVED")["X-Total"] == "1"
    assert user_api.get(f"{base}?status=PROCESSING_PAYMENT")["X-Total"] == "0"
    # a write outside the services (an ORM create, as the admin or a shell would do) is seen too
    Order.objects.create(
        user=user, status="APPROVED", type="coin", operation="deposit", asset=first_asset(), to_asset=first_asset(),
        to_amount=D("2"), tx_id="0xtotal2", tx_chain=first_asset(),
    )  # fmt: skip
    assert user_api.get(base)["X-Total"] == "2"
    assert user_api.get(f"{base}?status=APPROVED")["X-Total"] == "2"
    # after a cache flush the total is counted again
    cache.clear()
    assert user_api.get(base)["X-Total"] == "2"


def first_asset():
    return Asset.objects.get(symbol="ETH")


def test_another_users_orders_are_neither_listed_nor_counted(market, user, user_api, other_user, other_api):
    body = {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0xmine"}
    user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json")
    response = other_api.get(f"/api/v1/user/{other_user.pk}/order")
    assert response.json() == {"data": []} and response["X-Total"] == "0"
    assert user_api.get(f"/api/v1/user/{user.pk}/order")["X-Total"] == "1"


def test_assets_and_platforms_read_after_a_change(market, user, user_api):
    """Asset and platform names come from a per-process copy kept per market configuration version: a saved
    platform shows its new name, and an asset written without signals (bulk) is still found."""
    body = {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0xref"}
    order = user_api.post(f"/api/v1/user/{user.pk}/deposit", body, format="json").json()["data"]
    shop = Platform.objects.create(code="SHOP", name="Shop", base_url="https://shop.example")
    PlatformUserLink.objects.create(platform=shop, user=user)
    Order.objects.filter(pk=order["id"]).update(platform=shop)
    base = f"/api/v1/user/{user.pk}/order"
    assert user_api.get(base).json()["data"][0]["externalPlatform"]["name"] == "Shop"
    shop.name = "Shop Two"
    shop.save()
    assert user_api.get(base).json()["data"][0]["externalPlatform"]["name"] == "Shop Two"
    (new,) = Asset.objects.bulk_create(
        [Asset(symbol="NEWT", name="New token", kind="token", decimals=4, chain=first_asset(), active=True)]
    )
    Order.objects.filter(pk=order["id"]).update(to_asset=new, asset=new, to_amount=D("1.23456"))
    listed = user_api.get(base).json()["data"][0]
    assert listed["toSymbol"] == "NEWT" and listed["toAmount"] == "1.2346"
    assert listed == orm_bodies(user)[0]


def test_modules_writing_orders_without_save_bump_the_totals():
    """The totals are cached under a version that Order's post_save signal bumps (trading/apps.py). A module
    writing orders another way (bulk_create, insert_instances, a queryset update, raw SQL) must call
    `order_selectors.orders_changed` for the users whose orders it wrote, or their X-Total goes stale."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bypasses = [
        re.compile(r"\bOrder\.objects\.bulk_(create|update)\("),
        re.compile(r"\bOrder\.objects\.[^\n]*\.update\("),
        re.compile(r"(INSERT INTO|UPDATE)\s+\"?trading_order\b", re.IGNORECASE),
    ]
    builds_orders = re.compile(r"\bOrder\(")
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).parts
        if relative[0] in ("tests", "benchmarks", ".venv", "var", "node_modules") or "migrations" in relative:
            continue
        text = path.read_text()
        bypassed = any(p.search(text) for p in bypasses) or (
            builds_orders.search(text) and re.search(r"\b(insert_instances|bulk_create)\(\[?[\w, ]*order", text, re.I)
        )
        if bypassed and "orders_changed" not in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_quote_create_sees_an_asset_switched_off_and_a_renamed_platform(market, user, user_api):
    """Quote creation takes its assets and platform from the per-process catalogue of the configuration version:
    saving an asset or a platform (the admin does) bumps that version, so the next quote sees the change."""
    body = {"type": "coin", "orderType": "buy_with_crypto", "orderAmount": "0.5", "orderSymbol": "ETH"}
    body["orderPaymentSymbol"] = "XBT"  # (the partner platform has no payment methods of its own)
    path = f"/api/v1/user/{user.pk}/quote"
    assert user_api.post(path, body, format="json").status_code == 201
    house = Platform.objects.get(code="CCPRO")
    shop = Platform.objects.create(code="SHOP", name="Shop", base_url="https://shop.example")
    PlatformUserLink.objects.create(platform=shop, user=user)
    response = user_api.post(path, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()["data"]
    assert created["externalPlatform"] == {"code": "SHOP", "name": "Shop", "url": "https://shop.example"}
    shop.name = "Shop Two"
    shop.save()
    created = user_api.post(path, body, format="json").json()["data"]
    assert created["externalPlatform"]["name"] == "Shop Two"
    shown = user_api.get(f"{path}/{created['id']}").json()["data"]
    assert shown["externalPlatform"] == created["externalPlatform"] and house.code == "CCPRO"
    eth = first_asset()
    eth.active = False
    eth.save()
    refused = user_api.post(path, body, format="json")
    assert refused.status_code == 422 and "orderSymbol" in refused.json()["errors"]
