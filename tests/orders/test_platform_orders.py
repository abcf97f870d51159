"""Platform Orders and Platform Quotes: a partner platform reads its own users' orders and quotes, nobody else's."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from platforms.services import platform_create, platform_user_link
from trading.order_models import Order, Quote
from trading.services import operations_enable_defaults

from ..conftest import client_for
from ..factories import UserFactory
from ..platforms.conftest import platform_client, platform_token
from ..platforms.test_platform_auth import FORGERIES, INVALID
from .conftest import fund

pytestmark = pytest.mark.django_db

USER_KEYS = {"id", "isActive", "tradeStatus", "email", "options", "meta", "selfDeletedAt", "createdAt"}


def trade(api, user, *, confirm: bool):
    """A buy of 0.01 XBT paid with ETH: a quote, and its order (filled at once) when confirmed."""
    fund(user, "ETH", "10")
    body = {
        "type": "coin",
        "orderType": "buy_with_crypto",
        "orderAmount": "0.01",
        "orderSymbol": "XBT",
        "orderPaymentSymbol": "ETH",
    }
    response = api.post(f"/api/v1/user/{user.pk}/quote", body, format="json")
    assert response.status_code == 201, response.content
    quote = response.json()["data"]
    order = None
    if confirm:
        response = api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json")
        assert response.status_code == 201, response.content
        order = response.json()["data"]
    return quote, order


@pytest.fixture
def shops(market):
    """Two partner platforms, each with one linked user who traded; and a user of neither who traded too."""
    shop, shop_pem = platform_create(code="SHOP", name="Shop", base_url="https://shop.example/")
    other, other_pem = platform_create(code="OTHER", name="Other", base_url="https://other.example/")
    for platform in (shop, other):  # a linked user trades on the platform's market
        operations_enable_defaults(platform=platform)
    cache.clear()
    rows = {}
    for name, platform in (("shop", shop), ("other", other), ("none", None)):
        user = UserFactory()
        if platform is not None:
            platform_user_link(user=user, platform=platform)
        client = client_for(user)
        rows[name] = (user, *trade(client, user, confirm=True)), trade(client, user, confirm=False)[0]
    return {"shop": (shop, shop_pem), "other": (other, other_pem), "rows": rows}


def test_platform_orders_are_its_own_users_only_in_the_reference_shape(shops):
    shop, pem = shops["shop"]
    (user, quote, order), _open_quote = shops["rows"]["shop"]
    response = platform_client(shop, pem).get(f"/api/v1/platform/{shop.pk}/order")
    assert response.status_code == 200, response.content
    rows = response.json()["data"]
    assert [row["id"] for row in rows] == [order["id"]]
    row = rows[0]
    assert list(row) == [
        "id", "publicId", "status", "type", "typeOperation", "typeOperationName", "fromSymbol", "fromAmount",
        "rate", "toSymbol", "toAmount", "wallet", "txId", "parentOrder", "childOrder", "payment", "commissions",
        "user", "quote", "externalPlatform", "createdAt",
    ]  # fmt: skip
    assert set(row["user"]) == USER_KEYS and row["user"]["id"] == str(user.pk) and row["user"]["email"] == user.email
    assert row["quote"] == {"id": quote["id"], "publicId": quote["publicId"]}
    assert row["externalPlatform"] == {"code": "SHOP", "name": "Shop", "url": "https://shop.example/"}
    assert response["X-Total"] == "1" and response["X-Current-Page"] == "1"


def test_platform_quotes_are_its_own_users_only_in_the_reference_shape(shops):
    shop, pem = shops["shop"]
    (user, quote, _order), open_quote = shops["rows"]["shop"]
    response = platform_client(shop, pem).get(f"/api/v1/platform/{shop.pk}/quote")
    assert response.status_code == 200, response.content
    rows = response.json()["data"]
    assert {row["id"] for row in rows} == {quote["id"], open_quote["id"]}
    assert rows[0]["id"] == open_quote["id"]  # newest first
    keys = list(rows[0])
    assert keys[keys.index("parentOrder") + 1] == "user" and keys[-1] == "createdAt"
    assert set(rows[0]["user"]) == USER_KEYS and rows[0]["user"]["id"] == str(user.pk)
    assert {row["status"] for row in rows} == {"available", "completed"}


def test_another_platform_sees_only_its_own(shops):
    other, pem = shops["other"]
    (_user, other_quote, other_order), other_open = shops["rows"]["other"]
    api = platform_client(other, pem)
    orders = api.get(f"/api/v1/platform/{other.pk}/order").json()["data"]
    quotes = api.get(f"/api/v1/platform/{other.pk}/quote").json()["data"]
    assert [row["id"] for row in orders] == [other_order["id"]]
    assert {row["id"] for row in quotes} == {other_quote["id"], other_open["id"]}


@pytest.mark.parametrize("kind", ["order", "quote"])
def test_a_platforms_token_does_not_open_another_platforms_list(shops, kind):
    shop, pem = shops["shop"]
    other, _ = shops["other"]
    client = APIClient()
    client.credentials(HTTP_TOKEN=platform_token(shop, pem))
    response = client.get(f"/api/v1/platform/{other.pk}/{kind}")
    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.parametrize("kind", ["order", "quote"])
def test_no_token_is_unauthenticated(shops, kind):
    shop, _ = shops["shop"]
    response = APIClient().get(f"/api/v1/platform/{shop.pk}/{kind}")
    assert (response.status_code, response.json()) == (401, {"error": "Unauthenticated."})


@pytest.mark.parametrize("kind", ["order", "quote"])
@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__.removeprefix("forged_"))
def test_forged_tokens_are_refused(shops, forge, kind):
    shop, pem = shops["shop"]
    other = shops["other"]
    client = APIClient()
    client.credentials(HTTP_TOKEN=forge(shop, pem, other))
    response = client.get(f"/api/v1/platform/{shop.pk}/{kind}")
    assert (response.status_code, response.json()) == (401, INVALID)


def test_filters_status_and_dates(shops):
    shop, pem = shops["shop"]
    (_user, quote, order), open_quote = shops["rows"]["shop"]
    api = platform_client(shop, pem)

    def ids(kind, **query):
        response = api.get(f"/api/v1/platform/{shop.pk}/{kind}", query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["data"]]

    assert ids("quote", status="available") == [open_quote["id"]]
    assert ids("quote", status="completed") == [quote["id"]]
    assert ids("quote", status="expired") == []
    assert ids("order", status=order["status"]) == [order["id"]]
    assert ids("order", status="REJECTED") == []

    Quote.objects.filter(pk=quote["id"]).update(created_at=timezone.now() - timedelta(days=3))
    Order.objects.filter(pk=order["id"]).update(created_at=timezone.now() - timedelta(days=3))
    yesterday = int(time.time()) - 86400
    assert ids("quote", **{"from": yesterday}) == [open_quote["id"]]
    assert ids("quote", to=yesterday) == [quote["id"]]
    assert ids("order", **{"from": yesterday}) == []
    assert ids("order", to=yesterday) == [order["id"]]


@pytest.mark.parametrize("kind", ["order", "quote"])
@pytest.mark.parametrize(
    "query,field",
    [({"status": "nope"}, "status"), ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"from": "soon"}, "from")],
)
def test_bad_filters_are_422(shops, kind, query, field):
    shop, pem = shops["shop"]
    response = platform_client(shop, pem).get(f"/api/v1/platform/{shop.pk}/{kind}", query)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_pages_of_25(shops):
    shop, pem = shops["shop"]
    (user, _quote, _order), _ = shops["rows"]["shop"]
    base = Quote.objects.filter(user=user).first()
    for _ in range(25):
        base.pk = None
        base.public_id = Quote._meta.get_field("public_id").default()
        base.save()
    api = platform_client(shop, pem)
    first = api.get(f"/api/v1/platform/{shop.pk}/quote")
    second = api.get(f"/api/v1/platform/{shop.pk}/quote", {"page": 2})
    assert len(first.json()["data"]) == 25 and len(second.json()["data"]) == 2
    assert first["X-Total"] == "27" and first["X-Last-Page"] == "2"
    assert not {r["id"] for r in first.json()["data"]} & {r["id"] for r in second.json()["data"]}


def test_schema_documents_both(api):
    schema = api.get("/api/schema/?format=json").json()
    for kind in ("order", "quote"):
        get = schema["paths"][f"/api/v1/platform/{{platform}}/{kind}"]["get"]
        assert "200" in get["responses"] and "401" in get["responses"]


# --- IEN: quote.status --------------------------------------------------------------------------------


@pytest.fixture
def listening(market):
    """A platform with an IEN URL and a linked user; a user of no platform."""
    platform, _pem = platform_create(
        code="EARS", name="Ears", base_url="https://ears.example/", ien_url="https://ears.example/ien"
    )
    operations_enable_defaults(platform=platform)
    cache.clear()
    member = UserFactory()
    platform_user_link(user=member, platform=platform)
    return platform, member


def quote_events(platform):
    from platforms.models import IenEvent

    return list(IenEvent.objects.filter(platform=platform, type="quote.status").order_by("pk"))


def test_a_platform_given_an_ien_url_hears_the_next_quote(market):
    """Quote create asks the database who listens only when a partner platform has an IEN URL (the market
    catalogue tells); giving one an URL bumps the catalogue's version, so the very next quote is announced."""
    platform, _pem = platform_create(code="LATE", name="Late", base_url="https://late.example/")
    operations_enable_defaults(platform=platform)
    cache.clear()
    member = UserFactory()
    platform_user_link(user=member, platform=platform)
    api = client_for(member)
    trade(api, member, confirm=False)
    assert quote_events(platform) == []
    platform.ien_url = "https://late.example/ien"
    platform.save()
    quote, _order = trade(api, member, confirm=False)
    assert [e.payload["id"] for e in quote_events(platform)] == [quote["id"]]


def test_quote_created_and_completed_are_announced(listening):
    platform, member = listening
    quote, order = trade(client_for(member), member, confirm=True)
    events = quote_events(platform)
    assert [e.payload["status"] for e in events] == ["available", "completed"]
    assert {e.stream for e in events} == {f"quote:{quote['id']}"}
    assert events[0].payload == quote  # the object as the API shows it
    assert events[1].payload["order"] == {"id": order["id"], "publicId": order["publicId"]}


@pytest.mark.parametrize("batch_size", [10000, 2])
def test_expiry_sweep_announces_each_expired_quote_once(listening, batch_size):
    from trading import orders

    platform, member = listening
    outsider = UserFactory()
    mine = [trade(client_for(member), member, confirm=False)[0]["id"] for _ in range(3)]
    trade(client_for(outsider), outsider, confirm=False)
    Quote.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert orders.quote_expire_due(batch_size=batch_size) == 4
    assert orders.quote_expire_due(batch_size=batch_size) == 0
    expired = [e for e in quote_events(platform) if e.payload["status"] == "expired"]
    assert sorted(e.stream for e in expired) == sorted(f"quote:{pk}" for pk in mine)
    assert all(e.payload["confirmUrl"] is None for e in expired)


def test_expiry_sweep_without_listeners_emits_nothing(market):
    from platforms.models import IenEvent
    from trading import orders

    user = UserFactory()
    trade(client_for(user), user, confirm=False)
    Quote.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert orders.quote_expire_due() == 1
    assert not IenEvent.objects.exists()
