import pytest

from accounts.models import SecurityEvent

from ..conftest import client_for, staff_login
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    staff_login(client, staff)
    client.staff = staff
    return client


def test_user_list_search_and_filters(staff_client, user):
    response = staff_client.get("/admin/accounts/user/", {"q": user.email})
    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert staff_client.get("/admin/accounts/user/", {"is_active__exact": "1"}).status_code == 200
    assert staff_client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200


def test_deactivate_action_revokes_tokens_and_logs(staff_client, user):
    api = client_for(user)
    response = staff_client.post(
        "/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": [str(user.pk)]}, follow=True
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active is False
    assert api.get(f"/api/v1/user/{user.pk}").status_code == 401
    event = SecurityEvent.objects.get(user=user, code="account_deactivated")
    assert (event.actor, event.actor_user) == ("Staff", staff_client.staff)


def test_activate_refuses_unverified_email(staff_client):
    pending = UserFactory(is_active=False, email_verified_at=None)
    staff_client.post("/admin/accounts/user/", {"action": "activate_users", "_selected_action": [str(pending.pk)]})
    pending.refresh_from_db()
    assert pending.is_active is False


def test_security_log_is_read_only(staff_client, user):
    SecurityEvent.objects.create(user=user, code="login_success", ip="10.0.0.1")
    assert staff_client.get("/admin/accounts/securityevent/").status_code == 200
    assert staff_client.get("/admin/accounts/securityevent/add/").status_code == 403


def test_non_staff_cannot_open_admin(client, user):
    client.force_login(user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
