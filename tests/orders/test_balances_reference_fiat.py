"""`GET user/{user}/balances`: fiat values in the reference fiat of the user's platform (docs/decisions.md,
"Balances"), through HTTP."""

import pytest

from platforms.models import Platform, PlatformUserLink

from .conftest import fund

pytestmark = pytest.mark.django_db


def eth_fiat(api, user) -> dict:
    data = api.get(f"/api/v1/user/{user.pk}/balances").json()["data"]
    return next(c for c in data["coins"] if c["symbol"] == "ETH")["amounts"]["fiat"]


def test_values_follow_the_reference_fiat_of_the_users_platform(market, user, user_api):
    fund(user, "ETH", "1.5")
    # no partner platform: the house platform's reference fiat, EUR by default (ETH at 160.16 EUR)
    assert eth_fiat(user_api, user) == {"available": "240.24", "pending": "0.00"}
    romanian = Platform.objects.create(code="RO", name="Romanian shop", reference_fiat="RON")
    PlatformUserLink.objects.create(platform=romanian, user=user)
    # RON at 0.2 EUR: 1.5 ETH = 240.24 EUR = 1,201.20 RON
    assert eth_fiat(user_api, user) == {"available": "1201.20", "pending": "0.00"}
    one = user_api.get(f"/api/v1/user/{user.pk}/balances/eth").json()["data"]["coins"][0]["amounts"]["fiat"]
    assert one == {"available": "1201.20", "pending": "0.00"}
    # the crypto amounts and the rates themselves stay as they are (EUR is the rates' reference)
    data = user_api.get(f"/api/v1/user/{user.pk}/balances").json()["data"]
    eth = next(c for c in data["coins"] if c["symbol"] == "ETH")
    assert eth["amounts"]["crypto"]["available"] == "1.500000000000000000"
    assert eth["rates"]["raw"]["now"] == "160.16000"
    # staff change the platform's reference fiat (the admin saves it): the next read follows
    romanian.reference_fiat = "USD"
    romanian.save()
    assert eth_fiat(user_api, user) == {"available": "266.93", "pending": "0.00"}  # USD at 0.9 EUR


def test_another_users_platform_does_not_change_mine(market, user, user_api, other_user, other_api):
    fund(user, "ETH", "1.5")
    fund(other_user, "ETH", "1.5")
    romanian = Platform.objects.create(code="RO", name="Romanian shop", reference_fiat="RON")
    PlatformUserLink.objects.create(platform=romanian, user=other_user)
    assert eth_fiat(other_api, other_user)["available"] == "1201.20"
    assert eth_fiat(user_api, user)["available"] == "240.24"


def test_the_house_platforms_reference_fiat_applies_to_users_of_no_partner(market, user, user_api):
    fund(user, "ETH", "1.5")
    house = Platform.objects.get(code="CCPRO")
    house.reference_fiat = "RON"
    house.save()
    assert eth_fiat(user_api, user)["available"] == "1201.20"


@pytest.mark.parametrize("reference", ["XYZ", "ETH", ""])
def test_a_reference_ccpro_cannot_value_in_falls_back_to_eur(market, user, user_api, reference):
    """A platform naming a fiat CCPro does not know or price (or a crypto) is valued in EUR, not at a rate of 1."""
    fund(user, "ETH", "1.5")
    odd = Platform.objects.create(code="ODD", name="Odd", reference_fiat=reference)
    PlatformUserLink.objects.create(platform=odd, user=user)
    assert eth_fiat(user_api, user)["available"] == "240.24"


def test_an_inactive_link_is_not_the_users_platform(market, user, user_api):
    fund(user, "ETH", "1.5")
    romanian = Platform.objects.create(code="RO", name="Romanian shop", reference_fiat="RON")
    link = PlatformUserLink.objects.create(platform=romanian, user=user, active=False)
    assert eth_fiat(user_api, user)["available"] == "240.24"
    link.active = True
    link.save()
    assert eth_fiat(user_api, user)["available"] == "1201.20"
