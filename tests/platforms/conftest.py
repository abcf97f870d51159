import time

import jwt
import pytest
from rest_framework.test import APIClient

from platforms.services import platform_create

# Key generation costs ~50 ms; a session-wide pair is reused where a test does not need a fresh platform key.


def sign(payload: dict, key, algorithm: str = "RS512", headers: dict | None = None) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def platform_token(platform, private_pem: str, *, lifetime: int = 600, algorithm: str = "RS512", **extra) -> str:
    payload = {"platform": str(platform.pk), "expire": int(time.time()) + lifetime, **extra}
    return sign(payload, private_pem, algorithm)


def platform_client(platform, private_pem: str, **extra) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_TOKEN=platform_token(platform, private_pem, **extra))
    return client


@pytest.fixture
def partner(db):
    """(platform, private key PEM) of a new partner platform."""
    return platform_create(code="SHOP", name="Shop", base_url="https://shop.example/")


@pytest.fixture
def other_partner(db):
    return platform_create(code="OTHER", name="Other", base_url="https://other.example/")


@pytest.fixture
def partner_api(partner):
    return platform_client(*partner)
