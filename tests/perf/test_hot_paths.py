"""The hot paths made faster for the benchmarks (docs/performance.md) answer exactly what they did before.

- the profile body built as plain data (accounts.selectors.user_profile) equals the documented serializer's
  output (UserProfileOutput) for a user with every kind of list item;
- the price body (trading.apis.price_body) equals PriceOutput's;
- the hand-written token lookup loads the token and its user as the ORM does, and every way a token stops
  working (logout, invalidation, password change/reset, staff deactivation, closing, expiry) is refused on
  the very next request: nothing about a token is cached outside the database;
- the Redis cache backend reuses one client and still behaves as Django's.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts import selectors, services
from accounts.apis import UserProfileOutput
from accounts.models import AccessToken, Bank, User, Wallet
from platforms.models import Platform, PlatformUserLink
from platforms.services import default_platform, platform_user_link
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.gates.registry import eth_address_for, iban_for
from tests.instruments.conftest import make_card
from tests.trading.conftest import set_commission, set_rates
from trading import pricing
from trading.apis import PriceOutput, price_body
from trading.models import Asset, OperationConfig, PaymentMethod, UserPricing
from trading.services import operations_enable_defaults

pytestmark = pytest.mark.django_db


def _without_kyc(body: dict) -> dict:
    """The profile without its `kyc` part: that comes from kyc.selectors.kyc_summary on both paths (its signed
    links differ from one call to the next)."""
    assert "kyc" in body
    return {key: value for key, value in body.items() if key != "kyc"}


def _seed_lists(user):
    eth = Asset.objects.get(symbol="ETH")
    now = timezone.now().replace(microsecond=0)
    # Equal creation times too: the lists' tie-break is the id, as in the list endpoints.
    for n, (status, age) in enumerate((("PENDING", 0), ("CONFIRMED", 0), ("REJECTED", 5), ("CONFIRMED", 9))):
        Wallet.objects.create(
            user=user,
            asset=eth,
            address=eth_address_for(user, n),
            alias=f"w{n}",
            status=status,
            created_at=now - timedelta(hours=age),
        )
        Bank.objects.create(
            user=user,
            bank_name=f"Bank {n}",
            iban=iban_for(user, n),
            swift="DEUTDEFF",
            currency="EUR",
            status=status,
            created_at=now - timedelta(hours=age),
        )
        make_card(user, alias=f"c{n}", status=status, created_at=now - timedelta(hours=age), last_four_digits="0042")
    # Deleted instruments are never shown.
    Wallet.objects.create(
        user=user, asset=eth, address=eth_address_for(user, 99), alias="gone", deleted_at=now, created_at=now
    )
    Bank.objects.create(
        user=user, bank_name="Gone", iban=iban_for(user, 99), swift="DEUTDEFF", currency="EUR", deleted_at=now
    )
    make_card(user, alias="gone", deleted_at=now)
    # External platforms: the house one, an inactive link, an inactive platform.
    platform_user_link(user=user)
    for n, (link_active, platform_active) in enumerate(((False, True), (True, False), (True, True))):
        platform = Platform.objects.create(
            code=f"P{user.pk.hex[:6]}{n}", name=f"Partner {n}", base_url="https://p.example/", active=platform_active
        )
        PlatformUserLink.objects.create(
            platform=platform, user=user, active=link_active, created_at=now - timedelta(days=n + 1)
        )
    # Somebody else's items never leak in.
    other = UserFactory()
    Wallet.objects.create(user=other, asset=eth, address=eth_address_for(other, 0), alias="theirs")
    make_card(other, alias="theirs")
    platform_user_link(user=other)


def test_profile_body_equals_the_documented_serializer(user, user_api):
    _seed_lists(user)
    user.self_deleted_at = timezone.now()
    user.phone = "40722111222"
    user.save()
    user.refresh_from_db()

    expected = _without_kyc(UserProfileOutput(user).data)
    assert _without_kyc(selectors.user_profile(user=user)) == expected
    assert len(expected["wallets"]) == len(expected["cards"]) == len(expected["banks"]) == 4
    assert len(expected["externalPlatforms"]) == 4

    body = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]
    assert _without_kyc(body) == expected
    assert [w["alias"] for w in body["wallets"]][2:] == ["w2", "w3"]  # newest first
    assert [p["active"] for p in body["externalPlatforms"]] == [True, False, False, True]  # oldest link first


def test_profile_of_a_user_without_lists_or_password(user, user_api):
    user.set_unusable_password()
    user.save()
    user.refresh_from_db()
    body = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]
    assert _without_kyc(body) == _without_kyc(UserProfileOutput(user).data)
    assert body["meta"]["passwordSet"] is False
    assert body["wallets"] == body["cards"] == body["banks"] == body["externalPlatforms"] == []


def test_profile_makes_two_queries_with_a_warm_cache(user, user_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _seed_lists(user)
    user_api.get(f"/api/v1/user/{user.pk}")  # the once-a-minute lastUsedAt write, the caches filled
    with CaptureQueriesContext(connection) as profile:
        assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 200
    # The token with its user, then the four lists and the KYC items in one statement (the levels, the user's
    # platform and period sums come from the cache).
    assert len(profile) == 2, [q["sql"][:120] for q in profile.captured_queries]
    assert '"kyc_kycitem"' in profile.captured_queries[1]["sql"]


PRICES = {"XBT": "6377", "ETH": "160.16", "IPSX": "0.00006304"}


@pytest.fixture
def priced_market(db):
    operations_enable_defaults(platform=default_platform())
    OperationConfig.objects.update(commission_percent=Decimal("1.5"))
    set_rates(PRICES)
    set_commission("XBT", "buy_with_fiat", "0.1", fiat="EUR")
    cache.clear()


@pytest.mark.parametrize(
    ("kind", "src", "dst", "amounts"),
    [
        ("buy", "EUR", "XBT", {"from_amount": "100"}),
        ("buy", "EUR", "ETH", {"to_amount": "0.5"}),
        ("buy", "EUR", "XBT", {"from_amount": "100", "payment_type": "card"}),
        ("buy", "EUR", "XBT", {"from_amount": "250.5", "payment_type": "bank"}),
        ("buy", "XBT", "ETH", {}),
        ("sell", "ETH", "EUR", {"from_amount": "1.25"}),
        ("sell", "XBT", "EUR", {"to_amount": "1000", "payment_type": "bank"}),
        ("withdraw", "ETH", "ETH", {"from_amount": "3"}),
        ("withdraw-ico", "IPSX", "IPSX", {"to_amount": "1000"}),
    ],
)
def test_price_body_equals_the_documented_serializer(priced_market, user, kind, src, dst, amounts):
    UserPricing.objects.update_or_create(user=user, defaults={"discount_percent": Decimal("12.5")})
    PaymentMethod.objects.update(status=True)
    cache.clear()
    try:
        price = pricing.price_get(user=user, kind=kind, from_symbol=src, to_symbol=dst, **amounts)
    except pricing.OperationUnavailable:
        pytest.skip(f"{kind} {src}/{dst} is not offered by the default configuration")
    assert price_body(price) == PriceOutput(price).data
    response = client_for(user).get(f"/api/v1/user/{user.pk}/price/{kind}/{src}/{dst}", amounts)
    assert response.json()["data"] == PriceOutput(price).data


# --- The token lookup --------------------------------------------------------------------------


def test_token_lookup_loads_the_token_and_its_user_like_the_orm(user):
    token, raw = services.access_token_create(user=user, ip="10.1.2.3", user_agent="agent")
    found = services.access_token_authenticate(raw_token=raw)
    reference = AccessToken.objects.select_related("user").get(pk=token.pk)
    for field in AccessToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(reference, field.attname), field.name
    for field in User._meta.concrete_fields:
        assert getattr(found.user, field.attname) == getattr(reference.user, field.attname), field.name
    assert found.user.check_password(DEFAULT_PASSWORD)
    assert found._state.adding is False and found._state.db == "default"
    # A loaded instance saves like one from the ORM (an update, not an insert).
    found.user.first_name = "Changed"
    found.user.save(update_fields=["first_name"])
    assert User.objects.get(pk=user.pk).first_name == "Changed"


def _profile(client, user):
    return client.get(f"/api/v1/user/{user.pk}")


def test_wrong_malformed_revoked_and_expired_tokens_are_refused(user):
    assert services.access_token_authenticate(raw_token="x" * 64) is None
    assert services.access_token_authenticate(raw_token="é" * 64) is None
    client = client_for(user)
    assert _profile(client, user).status_code == 200
    AccessToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _profile(client, user).status_code == 401

    client = client_for(user)
    assert _profile(client, user).status_code == 200
    AccessToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert _profile(client, user).status_code == 401


def test_logout_and_invalidation_take_effect_on_the_next_request(user):
    client = client_for(user)
    assert _profile(client, user).status_code == 200
    assert client.post("/api/v1/user/logout").status_code == 200
    assert _profile(client, user).status_code == 401

    first, second = client_for(user), client_for(user)
    assert _profile(second, user).status_code == 200
    response = first.post(f"/api/v1/user/{user.pk}/securities/invalidate/{second.raw_token}")
    assert response.status_code == 200, response.content
    assert _profile(second, user).status_code == 401
    assert _profile(first, user).status_code == 200


def test_password_change_and_reset_revoke_on_the_next_request(user):
    caller, other = client_for(user), client_for(user)
    assert _profile(other, user).status_code == 200
    body = {"current_password": DEFAULT_PASSWORD, "new_password": "another-password-1"}
    response = caller.post(f"/api/v1/user/{user.pk}/securities/change-password", body, format="json")
    assert response.status_code == 200, response.content
    assert _profile(other, user).status_code == 401
    assert _profile(caller, user).status_code == 200

    from accounts.models import OneTimeCode

    services.password_forgot(email=user.email, as_link=False, ip=None)
    # The emailed token is only known hashed: issue a known one the way the service does.
    OneTimeCode.objects.filter(user=user).delete()
    code = services._code_issue(
        user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, ttl=timedelta(hours=1), length=10
    )
    services.password_reset(email=user.email, token=code, password="a-third-password-1", ip=None)
    assert _profile(caller, user).status_code == 401


def test_staff_deactivation_and_closing_take_effect_on_the_next_request(user):
    admin_user = UserFactory(is_staff=True)
    client = client_for(user)
    assert _profile(client, user).status_code == 200
    services.user_set_active(user=user, active=False, staff=admin_user)
    assert _profile(client, user).status_code == 401  # the tokens were revoked with the deactivation

    # An inactive account whose token survived (e.g. deactivated by another path) is still refused.
    User.objects.filter(pk=user.pk).update(is_active=True)
    client = client_for(user)
    assert _profile(client, user).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _profile(client, user).status_code == 403

    User.objects.filter(pk=user.pk).update(is_active=True, closed_at=timezone.now())
    assert _profile(client, user).status_code == 401


# --- The Redis cache backend -------------------------------------------------------------------


def test_redis_cache_reuses_one_client_and_behaves_as_djangos():
    from django.conf import settings

    if settings.CACHES["default"]["BACKEND"] != "ccpro.cache.RedisCache":
        pytest.skip("REDIS_URL not set")
    client = cache._cache
    assert client.get_client() is client.get_client()
    cache.set("perf:test", {"a": Decimal("1.5")}, 30)
    assert cache.get("perf:test") == {"a": Decimal("1.5")}
    assert cache.get_many(["perf:test", "perf:none"]) == {"perf:test": {"a": Decimal("1.5")}}
    assert cache.add("perf:test", 1, 30) is False
    cache.set("perf:n", 1, 30)
    assert cache.incr("perf:n") == 2
    cache.delete_many(["perf:test", "perf:n"])
    assert cache.get("perf:test") is None
