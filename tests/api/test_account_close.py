from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SecurityEvent, User
from accounts.tasks import account_close_due_task

from ..factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def initiate(client, user, password=DEFAULT_PASSWORD):
    return client.post(f"/api/v1/user/{user.pk}/account/close/initiate", {"password": password}, format="json")


def test_initiate_schedules_and_mails(user_api, user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = initiate(user_api, user)
    assert response.status_code == 200
    assert response.json() == {
        "message": "Self Delete Account procedure initiated. Please check your Email for confirmation."
    }
    profile = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]
    assert isinstance(profile["selfDeletedAt"], int)
    assert mailoutbox[0].to == [user.email] and "closed on" in mailoutbox[0].body
    assert initiate(user_api, user).json() == {"message": "Your account is already scheduled for Self Delete."}
    assert initiate(user_api, user).status_code == 410


def test_initiate_requires_password(user_api, user):
    response = user_api.post(f"/api/v1/user/{user.pk}/account/close/initiate", {}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"password": ["The password field is required."]},
    }
    wrong = initiate(user_api, user, "wrong-password")
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {"password": ["The password is incorrect."]}
    user.refresh_from_db()
    assert user.self_deleted_at is None


def test_abort_then_once_per_day(user_api, user):
    initiate(user_api, user)
    response = user_api.post(f"/api/v1/user/{user.pk}/account/close/abort")
    assert response.status_code == 200
    assert response.json() == {"message": "Self Delete Account procedure aborted."}
    again = initiate(user_api, user)
    assert again.status_code == 425
    assert again.json() == {"message": "You can request Self Delete Account once per day."}
    not_scheduled = user_api.post(f"/api/v1/user/{user.pk}/account/close/abort")
    assert not_scheduled.status_code == 410
    assert not_scheduled.json() == {"message": "Your account is not scheduled for Self Delete."}


def test_initiate_refused_while_holding_balance(user_api, user, monkeypatch):
    # The ledger issue answers user_holds_balance from the balances; here we only check the refusal path.
    monkeypatch.setattr("accounts.services.user_holds_balance", lambda *, user: True)
    response = initiate(user_api, user)
    assert response.status_code == 412
    assert response.json() == {"message": "Self Delete Account procedure unavailable due available balance"}


def test_close_due_task_anonymises_after_grace(
    user_api, user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    initiate(user_api, user)
    email = user.email
    assert account_close_due_task.delay().get() == 0  # grace period not over
    User.objects.filter(pk=user.pk).update(
        self_deleted_at=timezone.now() - settings.SELF_DELETE_GRACE_PERIOD - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert account_close_due_task.delay().get() == 1
    user.refresh_from_db()
    assert user.closed_at is not None and not user.is_active
    assert user.email.endswith("@closed.invalid") and user.first_name == "" and user.date_of_birth is None
    assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 401
    assert SecurityEvent.objects.filter(user=user, code="account_closed", actor="System").exists()
    assert mailoutbox[-1].to == [email]
    assert account_close_due_task.delay().get() == 0  # exactly once
