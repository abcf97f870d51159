"""Fixtures of the checkout widget tests: a checkout-enabled partner platform with its private key, a market with
fresh rates offered by that platform, tokens signed as partners sign them, and a widget client."""

import time
import uuid

import jwt
import pytest
from django.core.cache import cache
from django.test import Client

from platforms.services import platform_create, platform_user_link
from trading.services import operations_enable_defaults

from ..factories import UserFactory
from ..orders.conftest import confirmed_bank
from ..trading.conftest import PRICES, set_rates


@pytest.fixture
def shop(db):
    """(platform, private key PEM): a partner offering the checkout, its market open with fresh rates."""
    platform, private_pem = platform_create(
        code="SHOP", name="Shop", base_url="https://shop.example/", checkout_enabled=True
    )
    operations_enable_defaults(platform=platform)
    set_rates(PRICES)
    cache.clear()
    return platform, private_pem


def old_payload(*, email="buyer@example.com", request_id=None, amount="0.5", attempts=3, lifetime=3600, **extra):
    """The payload shape decoded in the spec README (`user`, `payment.request_id`, `fiat`)."""
    payload = {
        "user": {
            "id": "29",
            "email": email,
            "first_name": "Dana",
            "last_name": "Vio",
            "dob": "1990-07-31",
            "phone": "40730000000",
            "wallet": "",
        },
        "payment": {
            "operation": "buy",
            "type": "coin",
            "symbol": "ETH",
            "amount": amount,
            "rate": "160.16",
            "fiat": "EUR",
            "request_id": request_id or str(uuid.uuid4()),
            "method": "bank",
            "attempts": attempts,
        },
        "ping_url": "",
        "redirect_url": "https://shop.example/done",
        "expire": int(time.time()) + lifetime,
    }
    payload.update(extra)
    return payload


def new_payload(*, email="buyer@example.com", request_id=None, lifetime=3600):
    """The newer shape: `link {id, username, email}`, `payment.secondSymbol`, a top-level `request_id`."""
    return {
        "link": {"id": "u-77", "username": "dana", "email": email},
        "user": {
            "email": email,
            "type": "personal",
            "first_name": "Dana",
            "last_name": "Vio",
            "dob": "1990-07-31",
            "wallet": "",
            "network": "",
            "phone": "",
            "country": "RO",
            "city": "Pitesti",
            "street": "Street details",
            "zip": "111111",
        },
        "payment": {
            "operation": "buy_with_fiat",
            "symbol": "ETH",
            "amount": "0.25",
            "secondSymbol": "EUR",
            "method": "bank",
            "second_order_type": "",
            "attempts": 2,
        },
        "request_id": request_id or str(uuid.uuid4()),
        "redirect_url": "https://shop.example/done",
        "ping_url": "",
        "ip": "203.0.113.9",
        "expire": int(time.time()) + lifetime,
    }


def sign(payload: dict, private_pem: str, algorithm: str = "RS512") -> str:
    return jwt.encode(payload, private_pem, algorithm=algorithm)


def entry_url(platform, token: str, **query) -> str:
    from urllib.parse import urlencode

    return "/checkout/?" + urlencode({"platform": platform.code, "token": token, **query})


@pytest.fixture
def widget():
    return Client()


def buyer(platform, *, email="buyer@example.com", phone_verified=True, bank=True):
    """An active, email-verified CCPro user linked to the platform (id 29 there), with a confirmed EUR bank and
    (by default) a verified phone: KYC level 1."""
    user = UserFactory(email=email)
    platform_user_link(user=user, platform=platform, external={"userId": "29", "email": email})
    if phone_verified:
        from kyc.models import ItemKind

        from ..kyc.conftest import accept

        user.phone = "40730000000"
        user.save(update_fields=["phone"])
        accept(user, ItemKind.PHONE)
    if bank:
        confirmed_bank(user)
    cache.clear()
    return user
