"""The platform's transfer list (Platform group) and the IEN events transfers feed."""

import pytest

from platforms.models import IenEvent
from platforms.services import platform_create, platform_user_link
from trading.transfers import transfer_confirm, transfer_create

from ..factories import UserFactory
from ..platforms.conftest import platform_client
from .conftest import fund


@pytest.mark.django_db
def test_platform_lists_its_users_transfers_with_asset_and_gets_ien_events(eth):
    platform, private_pem = platform_create(
        code="SHOP", name="Shop", base_url="https://shop.example/", ien_url="https://shop.example/ien"
    )
    member, stranger, outsider = UserFactory(), UserFactory(), UserFactory()
    platform_user_link(user=member, platform=platform)
    fund(member, eth, "2")
    fund(outsider, eth, "2")
    ours = transfer_create(
        user=member, action="send", amount="1", asset_type="coin", symbol="ETH", counterparty=stranger.email
    )
    transfer_confirm(user=member, transfer_id=ours.pk)
    transfer_create(
        user=outsider, action="send", amount="1", asset_type="coin", symbol="ETH", counterparty=stranger.email
    )

    response = platform_client(platform, private_pem).get(f"/api/v1/platform/{platform.pk}/transfer")
    assert response.status_code == 200, response.content
    rows = response.json()["data"]
    assert [row["id"] for row in rows] == [str(ours.pk)]
    assert rows[0]["type"] == "coin" and rows[0]["symbol"] == "ETH" and rows[0]["confirmUrl"] is None
    assert rows[0]["externalPlatform"] == {"code": "SHOP", "name": "Shop", "url": "https://shop.example/"}
    assert rows[0]["status"] == "completed"

    events = list(IenEvent.objects.filter(platform=platform).order_by("id").values_list("type", "stream"))
    assert events == [("transfer.created", f"transfer:{ours.pk}"), ("transfer.completed", f"transfer:{ours.pk}")]
    assert IenEvent.objects.filter(platform=platform).last().payload["symbol"] == "ETH"
    # The event's body (plain data, trading.transfer_apis.transfer_body) is the platform list's serializer shape.
    assert IenEvent.objects.filter(platform=platform).last().payload == rows[0]


@pytest.mark.django_db
def test_platform_transfer_list_needs_the_platform_jwt(api):
    platform, _pem = platform_create(code="SHOP2", name="Shop", base_url="https://shop.example/")
    assert api.get(f"/api/v1/platform/{platform.pk}/transfer").status_code == 401
