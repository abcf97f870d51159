import pytest

from accounts.models import AccessToken, SecurityEvent

from ..factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(api, email, password=DEFAULT_PASSWORD, **extra):
    return api.post("/api/v1/authenticate", {"email": email, "password": password}, format="json", **extra)


def test_authenticate_issues_token(api, user):
    response = login(api, user.email.upper(), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"id", "ttl", "created", "userId"}
    assert len(data["id"]) == 64 and data["id"].isalnum()
    assert data["ttl"] == 1_209_600
    assert data["userId"] == str(user.pk)
    assert data["created"].endswith("Z") and len(data["created"]) == 24
    token = AccessToken.objects.get(user=user)
    assert data["id"] not in (token.token_hash, token.prefix)  # only a hash is stored
    event = SecurityEvent.objects.get(user=user)
    assert (event.code, event.ip, event.actor) == ("login_success", "10.1.2.3", "User")
    profile = api.get(f"/api/v1/user/{user.pk}", HTTP_AUTHORIZATION=f"Bearer {data['id']}")
    assert profile.status_code == 200


def test_authenticate_ignores_stale_bearer_header(api, user):
    response = login(api, user.email, HTTP_AUTHORIZATION="Bearer stale")
    assert response.status_code == 200


def test_authenticate_missing_fields_400(api):
    response = api.post("/api/v1/authenticate", {"email": "a@b.co"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Validation errors",
        "errors": {"password": ["The password field is required."]},
    }


def test_authenticate_wrong_password_403(api, user):
    response = login(api, user.email, "wrong password")
    assert response.status_code == 403
    assert response.json() == {"message": "Wrong password", "errors": {}}
    assert SecurityEvent.objects.filter(user=user, code="login_failed").count() == 1
    assert login(api, "nobody@example.com").json() == {"message": "Wrong password", "errors": {}}
    assert not AccessToken.objects.exists()


def test_login_locked_out_per_account_after_failures(api, user, settings):
    limit = int(settings.LOGIN_RATE_PER_ACCOUNT.split("/")[0])
    for _ in range(limit):
        assert login(api, user.email, "wrong password").status_code == 403
    response = login(api, user.email)  # even the right password is refused while locked
    assert response.status_code == 429
    assert response.json() == {"message": "Too many login attempts. Please try again later."}
    assert not AccessToken.objects.exists()


def test_login_locked_out_per_ip(api, settings):
    settings.LOGIN_RATE_PER_IP = "3/15m"
    users = UserFactory.create_batch(4)
    for victim in users[:3]:
        assert login(api, victim.email, "wrong password", REMOTE_ADDR="10.9.9.9").status_code == 403
    assert login(api, users[3].email, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert login(api, users[3].email, REMOTE_ADDR="10.9.9.10").status_code == 200


def test_unverified_user_gets_token_but_inactive_403(api):
    user = UserFactory(is_active=False, email_verified_at=None)
    token = login(api, user.email).json()["data"]["id"]
    response = api.get(f"/api/v1/user/{user.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json() == {"message": "Your account is inactive."}


def test_logout_revokes_only_current_token(user_api, user):
    from ..conftest import client_for

    second = client_for(user)
    response = user_api.post("/api/v1/user/logout")
    assert response.status_code == 200
    assert response.json() == {"data": {"logout": True}}
    assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 401
    assert second.get(f"/api/v1/user/{user.pk}").status_code == 200
    assert SecurityEvent.objects.filter(user=user, code="logout").exists()


def test_logout_requires_token(api):
    response = api.post("/api/v1/user/logout")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthenticated."}


def test_expired_token_is_refused(user_api, user):
    from datetime import timedelta

    from django.utils import timezone

    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 401


def test_last_used_is_not_written_on_every_request(user_api, user, django_assert_num_queries):
    user_api.get(f"/api/v1/user/{user.pk}")
    first = AccessToken.objects.get().last_used_at
    assert first is not None
    user_api.get(f"/api/v1/user/{user.pk}")
    assert AccessToken.objects.get().last_used_at == first
