import pytest

from accounts.models import AccessToken, SecurityEvent

from ..conftest import client_for
from ..factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_security_log_lists_own_events_newest_first(api, user, other_user):
    api.post("/api/v1/authenticate", {"email": user.email, "password": "bad password"}, format="json")
    token = api.post(
        "/api/v1/authenticate",
        {"email": user.email, "password": DEFAULT_PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.7",
    ).json()["data"]["id"]
    api.post("/api/v1/authenticate", {"email": other_user.email, "password": DEFAULT_PASSWORD}, format="json")
    response = api.get(f"/api/v1/user/{user.pk}/securities", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [e["code"] for e in data] == ["login_success", "login_failed"]
    assert data[0] == {
        "code": "login_success",
        "name": "Login Success",
        "by": "User",
        "ip": "10.0.0.7",
        "createdAt": data[0]["createdAt"],
    }
    assert isinstance(data[0]["createdAt"], int)


def test_access_tokens_masked_and_current_flagged(user_api, user):
    other_session = client_for(user)
    response = user_api.get(f"/api/v1/user/{user.pk}/securities/access")
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data) == 2
    mine = [t for t in data if t["you"]]
    assert len(mine) == 1
    assert mine[0]["token"] == user_api.raw_token[:14] + "X" * 24
    assert mine[0]["type"] == "api"
    assert all(other_session.raw_token not in t["token"] for t in data)
    assert isinstance(mine[0]["lastUsedAt"], int) and isinstance(mine[0]["createdAt"], int)


def test_invalidate_token_by_masked_form(user_api, user):
    other_session = client_for(user)
    masked = other_session.raw_token[:14] + "X" * 24
    response = user_api.post(f"/api/v1/user/{user.pk}/securities/invalidate/{masked}")
    assert response.status_code == 200
    assert response.json() == {"message": "This token has been successfully invalidated."}
    assert other_session.get(f"/api/v1/user/{user.pk}").status_code == 401
    assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 200
    assert SecurityEvent.objects.filter(user=user, code="token_invalidated").count() == 1


def test_cannot_invalidate_another_users_token(user_api, user, other_user):
    foreign = client_for(other_user)
    for reference in (foreign.raw_token, foreign.raw_token[:14] + "X" * 24, "garbage"):
        response = user_api.post(f"/api/v1/user/{user.pk}/securities/invalidate/{reference}")
        assert response.status_code == 403
        assert response.json() == {"message": "This action is unauthorized."}
    assert foreign.get(f"/api/v1/user/{other_user.pk}").status_code == 200


def test_change_password_keeps_current_session_only(user_api, user, api):
    other_session = client_for(user)
    response = user_api.post(
        f"/api/v1/user/{user.pk}/securities/change-password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "brand-new-pass"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"message": "Password successfully changed."}
    assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 200
    assert other_session.get(f"/api/v1/user/{user.pk}").status_code == 401
    old = api.post("/api/v1/authenticate", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert old.status_code == 403
    new = api.post("/api/v1/authenticate", {"email": user.email, "password": "brand-new-pass"}, format="json")
    assert new.status_code == 200


def test_change_password_wrong_current_412(user_api, user):
    response = user_api.post(
        f"/api/v1/user/{user.pk}/securities/change-password",
        {"current_password": "not-the-password", "new_password": "brand-new-pass"},
        format="json",
    )
    assert response.status_code == 412
    assert response.json() == {"message": "The current password is incorrect."}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_change_password_validation_422(user_api, user):
    response = user_api.post(
        f"/api/v1/user/{user.pk}/securities/change-password", {"current_password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"new_password": ["The new password field is required."]},
    }


def test_change_password_without_password_set_409(db):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    response = client_for(user).post(
        f"/api/v1/user/{user.pk}/securities/change-password",
        {"current_password": "whatever-1", "new_password": "brand-new-pass"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"message": "Password cannot be changed."}


def test_securities_of_another_user_409(user_api, other_user):
    for path in ("securities", "securities/access"):
        response = user_api.get(f"/api/v1/user/{other_user.pk}/{path}")
        assert response.status_code == 409


def test_profile_shape(user_api, user):
    data = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]
    assert data["uuid"] == str(user.pk)
    assert data["email"] == user.email
    assert data["wallets"] == [] or isinstance(data["wallets"], list)
    assert data["externalPlatforms"] == [] or isinstance(data["externalPlatforms"], list)
    assert data["kyc"]["personal"]["firstName"] == user.first_name
    assert set(data) >= {
        "uuid",
        "isActive",
        "tradeStatus",
        "email",
        "selfDeletedAt",
        "createdAt",
        "options",
        "meta",
        "kyc",
        "wallets",
        "cards",
        "banks",
        "externalPlatforms",
    }
    assert AccessToken.objects.filter(user=user).count() == 1
