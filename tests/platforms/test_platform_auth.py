"""The `token` header of platform endpoints: one authentication class, and the forged-token suite."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from platforms.exceptions import InvalidPublicKey
from platforms.keys import public_key_pem
from platforms.models import JwtAlgorithm, PlatformKey
from platforms.services import platform_key_add, platform_key_generate

from .conftest import platform_token, sign

pytestmark = pytest.mark.django_db

INVALID = {"message": "JWT payload invalid."}
EXPIRED = {"message": "JWT is expired."}


def show(platform, token, platform_id=None):
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_TOKEN=token)
    return client.get(f"/api/v1/platform/{platform_id or platform.pk}")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict, payload: dict, sign_with=None) -> str:
    """A JWT built by hand (PyJWT refuses to make the forgeries we need)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = b"" if sign_with is None else sign_with(signing_input.encode())
    return f"{signing_input}.{b64(signature)}"


def payload_for(platform, lifetime=600, **extra):
    return {"platform": str(platform.pk), "expire": int(time.time()) + lifetime, **extra}


def rsa_private(bits: int):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key, pem.decode()


def test_a_valid_token_opens_the_platform_endpoint(partner):
    platform, private_pem = partner
    response = show(platform, platform_token(platform, private_pem))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["id"] == str(platform.pk)


def test_no_token_is_unauthenticated(partner):
    platform, _ = partner
    response = show(platform, None)
    assert (response.status_code, response.json()) == (401, {"error": "Unauthenticated."})


def test_a_user_bearer_token_is_not_a_platform_token(partner, user_api):
    platform, _ = partner
    response = user_api.get(f"/api/v1/platform/{platform.pk}")
    assert (response.status_code, response.json()) == (401, {"error": "Unauthenticated."})


# --- The forged-token suite --------------------------------------------------------------------------


def forged_alg_none(platform, private_pem, other):
    return handmade({"alg": "none", "typ": "JWT"}, payload_for(platform))


def forged_alg_none_lowercase_variants(platform, private_pem, other):
    return handmade({"alg": "None", "typ": "JWT"}, payload_for(platform))


def forged_hs512_with_public_key(platform, private_pem, other):
    public_pem = platform.keys.get().public_key.encode()
    return handmade(
        {"alg": "HS512", "typ": "JWT"},
        payload_for(platform),
        sign_with=lambda data: hmac.new(public_pem, data, hashlib.sha512).digest(),
    )


def forged_hs256_with_public_key(platform, private_pem, other):
    public_pem = platform.keys.get().public_key.encode()
    return handmade(
        {"alg": "HS256", "typ": "JWT"},
        payload_for(platform),
        sign_with=lambda data: hmac.new(public_pem, data, hashlib.sha256).digest(),
    )


def forged_another_platforms_key(platform, private_pem, other):
    return sign(payload_for(platform), other[1])


def forged_too_long_lived(platform, private_pem, other):
    return sign(payload_for(platform, lifetime=86_400 + 600), private_pem)


def forged_wrong_platform_id(platform, private_pem, other):
    return sign({**payload_for(platform), "platform": str(other[0].pk)}, private_pem)


def forged_random_platform_id(platform, private_pem, other):
    return sign({**payload_for(platform), "platform": str(uuid.uuid4())}, private_pem)


def forged_no_platform(platform, private_pem, other):
    payload = payload_for(platform)
    del payload["platform"]
    return sign(payload, private_pem)


def forged_no_expire(platform, private_pem, other):
    return sign({"platform": str(platform.pk)}, private_pem)


def forged_float_expire(platform, private_pem, other):
    return sign({"platform": str(platform.pk), "expire": time.time() + 600}, private_pem)  # float-ok: forgery


def forged_malformed(platform, private_pem, other):
    return "not-a-jwt"


def forged_malformed_three_parts(platform, private_pem, other):
    return "eyJhbGciOiJSUzUxMiJ9.bm9wZQ.c2ln"


def forged_tampered_payload(platform, private_pem, other):
    header, _payload, signature = sign(payload_for(platform), private_pem).split(".")
    return f"{header}.{b64(json.dumps(payload_for(platform, lifetime=900)).encode())}.{signature}"


def forged_1024_bit_key(platform, private_pem, other):
    _key, weak_pem = rsa_private(1024)
    return sign(payload_for(platform), weak_pem)


def forged_rs256_instead_of_rs512(platform, private_pem, other):
    return sign(payload_for(platform), private_pem, "RS256")


def forged_array_payload(platform, private_pem, other):
    return handmade({"alg": "RS512", "typ": "JWT"}, [1, 2])  # not even signed


FORGERIES = [
    forged_alg_none,
    forged_alg_none_lowercase_variants,
    forged_hs512_with_public_key,
    forged_hs256_with_public_key,
    forged_another_platforms_key,
    forged_too_long_lived,
    forged_wrong_platform_id,
    forged_random_platform_id,
    forged_no_platform,
    forged_no_expire,
    forged_float_expire,
    forged_malformed,
    forged_malformed_three_parts,
    forged_tampered_payload,
    forged_1024_bit_key,
    forged_rs256_instead_of_rs512,
    forged_array_payload,
]


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__.removeprefix("forged_"))
def test_forged_tokens_are_refused(forge, partner, other_partner):
    platform, private_pem = partner
    response = show(platform, forge(platform, private_pem, other_partner))
    assert (response.status_code, response.json()) == (401, INVALID)


def test_an_expired_token_says_so(partner):
    platform, private_pem = partner
    response = show(platform, sign(payload_for(platform, lifetime=-5), private_pem))
    assert (response.status_code, response.json()) == (401, EXPIRED)


def test_a_platforms_token_does_not_open_another_platform(partner, other_partner):
    platform, private_pem = partner
    response = show(platform, platform_token(platform, private_pem), platform_id=other_partner[0].pk)
    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.parametrize("platform_id", ["nope", str(uuid.uuid4()), "1"])
def test_unknown_platforms_are_refused(partner, platform_id):
    platform, private_pem = partner
    response = show(platform, platform_token(platform, private_pem), platform_id=platform_id)
    assert (response.status_code, response.json()) == (401, INVALID)


def test_an_inactive_platform_is_refused(partner):
    platform, private_pem = partner
    platform.active = False
    platform.save(update_fields=["active"])
    assert show(platform, platform_token(platform, private_pem)).status_code == 401


def test_expire_may_be_a_digit_string(partner):
    platform, private_pem = partner
    token = sign({"platform": str(platform.pk), "expire": str(int(time.time()) + 60)}, private_pem)
    assert show(platform, token).status_code == 200


@override_settings(PLATFORM_JWT_MAX_LIFETIME_SECONDS=120)
def test_the_maximum_lifetime_is_configured(partner):
    platform, private_pem = partner
    assert show(platform, platform_token(platform, private_pem, lifetime=100)).status_code == 200
    assert show(platform, platform_token(platform, private_pem, lifetime=200)).json() == INVALID


def test_a_token_with_a_jti_is_accepted_once(partner):
    platform, private_pem = partner
    token = platform_token(platform, private_pem, jti="abc-123")
    assert show(platform, token).status_code == 200
    assert (show(platform, token).status_code, show(platform, token).json()) == (401, INVALID)
    # Another jti is a new token.
    assert show(platform, platform_token(platform, private_pem, jti="abc-124")).status_code == 200


def test_a_token_without_jti_may_be_reused_until_it_expires(partner):
    platform, private_pem = partner
    token = platform_token(platform, private_pem)
    assert [show(platform, token).status_code for _ in range(2)] == [200, 200]


# --- Keys: size, rotation, revocation, HMAC platforms ---------------------------------------------------


def test_keys_under_2048_bits_are_refused_on_upload(partner):
    platform, _ = partner
    key, _pem = rsa_private(1024)
    with pytest.raises(InvalidPublicKey) as refused:
        platform_key_add(platform=platform, public_key=public_key_pem(key.public_key()))
    assert "at least 2048 bits" in refused.value.errors["publicKey"][0]
    with pytest.raises(InvalidPublicKey):
        platform_key_add(platform=platform, public_key="-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
    assert platform.keys.count() == 1


def test_rotation_keeps_the_old_key_for_the_grace_period(partner):
    platform, old_pem = partner
    new_pem = platform_key_generate(platform=platform)
    old_key = platform.keys.order_by("created_at").first()
    assert old_key.valid_until is not None
    assert old_key.valid_until > timezone.now() + timedelta(hours=71)
    assert show(platform, platform_token(platform, old_pem)).status_code == 200
    assert show(platform, platform_token(platform, new_pem)).status_code == 200
    # Once the grace period is over, only the new key verifies.
    PlatformKey.objects.filter(pk=old_key.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert show(platform, platform_token(platform, old_pem)).json() == INVALID
    assert show(platform, platform_token(platform, new_pem)).status_code == 200


def test_a_platform_signing_with_hs512_uses_its_shared_secret_only(partner):
    platform, private_pem = partner
    platform.jwt_algorithm = JwtAlgorithm.HS512
    platform.save(update_fields=["jwt_algorithm"])
    good = sign(payload_for(platform), platform.hmac_secret, "HS512")
    assert show(platform, good).status_code == 200
    # The RSA key no longer counts, and the public key is never an HMAC secret.
    assert show(platform, platform_token(platform, private_pem)).json() == INVALID
    assert show(platform, forged_hs512_with_public_key(platform, private_pem, None)).json() == INVALID
    assert show(platform, sign(payload_for(platform), platform.hmac_secret, "HS256")).json() == INVALID
