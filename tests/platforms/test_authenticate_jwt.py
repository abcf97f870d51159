"""POST authenticate-jwt/{platform}: a platform-signed {email|id, expire} → a user access token."""

import time

import pytest
from rest_framework.test import APIClient

from accounts.models import AccessToken, SecurityEvent
from platforms.services import platform_user_link
from tests.factories import UserFactory

from .conftest import sign

pytestmark = pytest.mark.django_db


def authenticate(platform_id, token=None, **headers):
    client = APIClient()
    if token is not None:
        headers["HTTP_TOKEN"] = token
    return client.post(f"/api/v1/authenticate-jwt/{platform_id}", **headers)


@pytest.fixture
def linked_user(partner):
    user = UserFactory(email="linked@example.com")
    platform_user_link(user=user, platform=partner[0], external={"userId": "42", "username": "ana"})
    return user


def test_email_gives_a_platform_token_that_works(partner, linked_user):
    platform, private_pem = partner
    token = sign({"email": "Linked@Example.com", "expire": int(time.time()) + 3600}, private_pem)
    response = authenticate(platform.pk, token)
    assert response.status_code == 200, response.content
    body = response.json()["data"]
    assert set(body) == {"id", "ttl", "created", "userId"}
    assert body["userId"] == str(linked_user.pk) and body["ttl"] == 1_209_600 and len(body["id"]) == 64
    assert AccessToken.objects.get(user=linked_user).type == AccessToken.Type.PLATFORM
    assert SecurityEvent.objects.filter(user=linked_user, actor=SecurityEvent.Actor.PLATFORM).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['id']}")
    assert client.get(f"/api/v1/user/{linked_user.pk}").status_code == 200


def test_id_gives_a_token_too(partner, linked_user):
    platform, private_pem = partner
    token = sign({"id": str(linked_user.pk), "expire": int(time.time()) + 60}, private_pem)
    assert authenticate(platform.pk, token).json()["data"]["userId"] == str(linked_user.pk)


def test_without_token_400(partner):
    response = authenticate(partner[0].pk)
    assert (response.status_code, response.json()) == (400, {"message": "jwt must be provided", "errors": {}})


def test_expired_403_as_the_reference(partner, linked_user):
    platform, private_pem = partner
    token = sign({"email": linked_user.email, "expire": int(time.time()) - 10}, private_pem)
    response = authenticate(platform.pk, token)
    assert (response.status_code, response.json()) == (
        403,
        {"message": "No valid data sent", "errors": {"expire": "Invalid time in expire. Must be in future!"}},
    )


def test_too_long_lived_403(partner, linked_user):
    platform, private_pem = partner
    token = sign({"email": linked_user.email, "expire": int(time.time()) + 10**6}, private_pem)
    response = authenticate(platform.pk, token)
    assert response.status_code == 403 and "expire" in response.json()["errors"]


def test_missing_expire_403(partner, linked_user):
    platform, private_pem = partner
    response = authenticate(platform.pk, sign({"email": linked_user.email}, private_pem))
    assert response.status_code == 403 and "expire" in response.json()["errors"]


@pytest.mark.parametrize(
    "who",
    [{}, {"email": "nobody@example.com"}, {"id": "5f374d03-be0d-4dd2-b6ef-112a2bec5963"}, {"id": "x"}, {"email": 5}],
)
def test_unknown_or_unlinked_users_get_nothing(partner, linked_user, who):
    platform, private_pem = partner
    response = authenticate(platform.pk, sign({**who, "expire": int(time.time()) + 60}, private_pem))
    assert response.status_code == 403 and response.json()["message"] == "No valid data sent"
    assert not AccessToken.objects.exists()


def test_a_user_of_another_platform_gets_nothing(partner, other_partner, linked_user):
    other, other_pem = other_partner
    response = authenticate(other.pk, sign({"email": linked_user.email, "expire": int(time.time()) + 60}, other_pem))
    assert response.status_code == 403
    assert not AccessToken.objects.exists()


def test_a_token_signed_by_another_platform_is_refused(partner, other_partner, linked_user):
    platform, _ = partner
    token = sign({"email": linked_user.email, "expire": int(time.time()) + 60}, other_partner[1])
    response = authenticate(platform.pk, token)
    assert (response.status_code, response.json()) == (401, {"message": "JWT payload invalid."})
    assert authenticate("not-a-uuid", token).status_code == 401


def test_jti_replay_refused(partner, linked_user):
    platform, private_pem = partner
    token = sign({"email": linked_user.email, "expire": int(time.time()) + 60, "jti": "once"}, private_pem)
    assert authenticate(platform.pk, token).status_code == 200
    assert authenticate(platform.pk, token).status_code == 403


def test_a_closed_account_gets_nothing(partner, linked_user):
    from django.utils import timezone

    linked_user.closed_at = timezone.now()
    linked_user.save(update_fields=["closed_at"])
    platform, private_pem = partner
    token = sign({"email": linked_user.email, "expire": int(time.time()) + 60}, private_pem)
    assert authenticate(platform.pk, token).status_code == 403
