"""The platform API: show/update, staff, users and calls, each strictly the calling platform's own."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from platforms.models import IenCall, PlatformStaff, PlatformUserLink
from platforms.services import platform_staff_add, platform_user_link
from tests.factories import UserFactory
from tests.trading.conftest import PRICES, set_rates
from trading.models import Asset, PaymentMethod
from trading.services import operations_enable_defaults

from .conftest import platform_client

pytestmark = pytest.mark.django_db

SHOW_KEYS = {
    "id",
    "name",
    "code",
    "baseUrl",
    "ien",
    "integrations",
    "colorCode",
    "reference",
    "levels",
    "paymentMethods",
    "currencies",
    "createdAt",
}


def test_show_has_the_reference_shape(partner, partner_api):
    platform, _ = partner
    operations_enable_defaults(platform=platform)
    set_rates(PRICES)
    PaymentMethod.objects.filter(platform=platform).delete()
    PaymentMethod.objects.create(
        platform=platform,
        kind="card",
        name="MobilPay",
        fiat=Asset.objects.get(symbol="EUR"),
        first_max_order_value=Decimal("1000"),
        lower_status=True,
        lower_value=Decimal("50.00"),
    )
    body = partner_api.get(f"/api/v1/platform/{platform.pk}").json()["data"]
    assert set(body) == SHOW_KEYS
    assert body["code"] == "SHOP" and body["baseUrl"] == "https://shop.example/"
    assert body["ien"] == {"url": "", "type": "jwt"}
    assert set(body["integrations"]) == {"api", "partner", "checkout", "widget"}
    assert body["reference"] == {"fiat": "EUR", "periodType": "MONTHS", "periodValue": "1"}
    assert body["paymentMethods"] == {
        "bank": [],
        "card": [
            {
                "status": True,
                "name": "MobilPay",
                "limits": {
                    "firstMaxOrderValue": "1000",
                    "lower": {"status": True, "value": "50"},
                    "upper": {"status": False, "value": None},
                },
            }
        ],
    }
    coins = {c["symbol"]: c for c in body["currencies"]["coins"]}
    assert "ETH" in coins and set(coins["ETH"]["rates"]["raw"]) == {
        "now",
        "day",
        "week",
        "month",
        "quarter",
        "semester",
        "year",
    }
    assert coins["ETH"]["rates"]["raw"]["now"] == "160.16000"
    assert {f["symbol"] for f in body["currencies"]["fiats"]} >= {"EUR", "USD"}
    assert isinstance(body["createdAt"], int)
    # No levels of its own: CCPRO's (seeded by the KYC app), maxima as decimal strings.
    assert body["levels"][0]["level"] == "1" and set(body["levels"][0]) == {"level", "name", "required", "max"}
    assert all(isinstance(level["max"]["buy"], str) for level in body["levels"])


UPDATE = {
    "name": "Shop Two",
    "baseUrl": "https://two.example/",
    "ienUrl": "https://two.example/ien",
    "ienType": "hmac",
    "colorCode": "#FFF",
}


def test_update(partner, partner_api):
    platform, _ = partner
    response = partner_api.post(f"/api/v1/platform/{platform.pk}", UPDATE, format="json")
    assert response.status_code == 200, response.content
    body = response.json()["data"]
    assert (body["name"], body["baseUrl"], body["ien"], body["colorCode"]) == (
        "Shop Two",
        "https://two.example/",
        {"url": "https://two.example/ien", "type": "hmac"},
        "#FFF",
    )
    platform.refresh_from_db()
    assert platform.ien_type == "hmac" and platform.code == "SHOP"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colorCode", "#12345", "The color code format is invalid."),
        ("colorCode", "red", "The color code format is invalid."),
        ("ienType", "xml", "The selected ien type is invalid."),
        ("baseUrl", "not a url", "The base url format is invalid."),
        ("name", "", "The name field is required."),
        ("name", "x" * 192, "The name may not be greater than 191 characters."),
    ],
)
def test_update_validation(partner, partner_api, field, value, message):
    platform, _ = partner
    response = partner_api.post(f"/api/v1/platform/{platform.pk}", {**UPDATE, field: value}, format="json")
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {field: [message]}}
    platform.refresh_from_db()
    assert platform.name == "Shop"


def test_staff_list(partner, partner_api, other_partner):
    platform, _ = partner
    member = UserFactory(first_name="Alex", last_name="Boss")
    platform_staff_add(platform=platform, user=member, role=PlatformStaff.Role.SUPERADMIN)
    platform_staff_add(platform=other_partner[0], user=UserFactory(), role=PlatformStaff.Role.ADMIN)
    response = partner_api.get(f"/api/v1/platform/{platform.pk}/staff")
    assert response.json() == {
        "data": [
            {
                "id": str(PlatformStaff.objects.get(user=member).pk),
                "userId": str(member.pk),
                "email": member.email,
                "firstName": "Alex",
                "lastName": "Boss",
                "isActive": True,
                "role": "superadmin",
            }
        ],
        "meta": {"total": 1, "current_page": 1, "per_page": 25, "last_page": 1},
    }
    assert partner_api.get(f"/api/v1/platform/{platform.pk}/staff?role=admin").json()["data"] == []
    assert partner_api.get(f"/api/v1/platform/{platform.pk}/staff?role=boss").status_code == 422


def test_users_are_the_platforms_own_only(partner, other_partner):
    platform, private_pem = partner
    mine = UserFactory(email="mine@example.com")
    platform_user_link(user=mine, platform=platform, external={"userId": "123456789", "username": "test"})
    direct = UserFactory(email="direct@example.com")
    platform_user_link(user=direct, platform=platform)
    theirs = UserFactory(email="theirs@example.com")
    platform_user_link(user=theirs, platform=other_partner[0], external={"userId": "999"})
    body = platform_client(platform, private_pem).get(f"/api/v1/platform/{platform.pk}/user").json()
    assert "meta" not in body
    rows = {row["email"]: row for row in body["data"]}
    assert set(rows) == {"mine@example.com", "direct@example.com"}
    assert rows["mine@example.com"]["id"] == "123456789" and rows["mine@example.com"]["username"] == "test"
    assert rows["direct@example.com"]["id"] == str(direct.pk)
    assert "theirs" not in str(body)


def test_user_filters_and_pages(partner):
    platform, private_pem = partner
    client = platform_client(platform, private_pem)
    old = UserFactory()
    link = platform_user_link(user=old, platform=platform, external={"username": "old"})
    PlatformUserLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - timedelta(days=10))
    for n in range(26):
        platform_user_link(user=UserFactory(), platform=platform, external={"username": f"u{n}"})
    url = f"/api/v1/platform/{platform.pk}/user"

    def count(query=""):
        return len(client.get(f"{url}{query}").json()["data"])

    assert (count(), count("?page=2"), count("?page=3")) == (25, 2, 0)
    assert count("?username=old") == 1
    assert count(f"?email={old.email}") == 1
    since = int(time.time()) - 3600
    assert (count(f"?from={since}&page=2"), count(f"?to={since}")) == (1, 1)
    response = client.get(f"{url}?from=yesterday")
    assert response.status_code == 422 and response.json()["errors"] == {"from": ["The from must be an integer."]}
    assert client.get(f"{url}?page=0").status_code == 422


def test_calls_are_the_platforms_own_only(partner, other_partner):
    platform, private_pem = partner
    IenCall.objects.create(platform=platform, endpoint="https://shop.example/ien", request="{}", status="200")
    IenCall.objects.create(platform=platform, endpoint="https://shop.example/ien", request="{}", status="500")
    IenCall.objects.create(platform=other_partner[0], endpoint="https://other.example/", request="{}", status="200")
    client = platform_client(platform, private_pem)
    body = client.get(f"/api/v1/platform/{platform.pk}/call").json()
    assert len(body["data"]) == 2
    assert set(body["data"][0]) == {"endpoint", "verb", "request", "status", "response", "createdAt"}
    assert all(row["endpoint"].startswith("https://shop.example") for row in body["data"])
    assert len(client.get(f"/api/v1/platform/{platform.pk}/call?status=500").json()["data"]) == 1
