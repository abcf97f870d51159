"""Idempotency-Key through a real money-moving view (tests/idempotency/urls.py credits the caller's ledger)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ccpro.api.idempotency import idempotency_key_purge
from ccpro.api.models import IdempotencyKey
from ccpro.api.tasks import idempotency_key_purge_task
from trading.ledger_models import LedgerAccount, LedgerTransaction

from ..conftest import client_for
from ..factories import UserFactory
from ..gates.concurrency import report, run_concurrently

pytestmark = pytest.mark.urls("tests.idempotency.urls")


def credit(client, user, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(f"/test/user/{user.pk}/credit", body, format="json", **headers)


def balance(user) -> Decimal:
    account = LedgerAccount.objects.filter(user=user, kind="available").first()
    return account.balance if account else Decimal(0)


@pytest.mark.django_db
def test_without_a_key_every_request_acts(user, user_api):
    credit(user_api, user, {"amount": "1"})
    credit(user_api, user, {"amount": "1"})
    assert balance(user) == Decimal(2)
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_retry_with_same_key_and_body_replays_the_first_answer(user, user_api):
    first = credit(user_api, user, {"amount": "1.5"}, key="k-1")
    second = credit(user_api, user, {"amount": "1.5"}, key="k-1")
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert balance(user) == Decimal("1.5")
    assert LedgerTransaction.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_or_path_is_422(user, user_api):
    credit(user_api, user, {"amount": "1"}, key="k-2")
    response = credit(user_api, user, {"amount": "2"}, key="k-2")
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"Idempotency-Key": ["The Idempotency-Key header has already been used with a different request."]},
    }
    assert balance(user) == Decimal(1)


@pytest.mark.django_db
def test_keys_are_per_user(user, user_api):
    other = UserFactory()
    credit(user_api, user, {"amount": "1"}, key="shared")
    response = credit(client_for(other), other, {"amount": "1"}, key="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert balance(other) == Decimal(1)


@pytest.mark.django_db
def test_refusals_are_stored_and_replayed(user, user_api):
    first = credit(user_api, user, {"amount": "500"}, key="k-3")
    again = credit(user_api, user, {"amount": "500"}, key="k-3")
    assert first.status_code == again.status_code == 403
    assert again.json() == {"message": "Too much."}
    invalid = credit(user_api, user, {"amount": "abc"}, key="k-4")
    assert invalid.status_code == 422
    assert credit(user_api, user, {"amount": "abc"}, key="k-4").content == invalid.content


@pytest.mark.django_db
def test_server_error_stores_nothing_and_rolls_back_the_effect(user, user_api):
    user_api.raise_request_exception = False
    response = credit(user_api, user, {"amount": "1", "fail": True}, key="k-5")
    assert response.status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert balance(user) == 0 and not LedgerTransaction.objects.exists()
    # The retry runs for real.
    assert credit(user_api, user, {"amount": "1"}, key="k-5").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "with space"])
def test_malformed_keys_are_422_and_change_nothing(user, user_api, key):
    response = credit(user_api, user, {"amount": "1"}, key=key)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert balance(user) == 0


@pytest.mark.django_db
def test_ownership_and_authentication_come_first_and_are_not_stored(user, user_api, api):
    other = UserFactory()
    assert credit(user_api, other, {"amount": "1"}, key="k-6").status_code == 409
    assert credit(api, user, {"amount": "1"}, key="k-6").status_code == 401
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_purge_forgets_keys_older_than_24_hours(user, user_api):
    credit(user_api, user, {"amount": "1"}, key="old")
    credit(user_api, user, {"amount": "1"}, key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    IdempotencyKey.objects.filter(key="new").update(created_at=timezone.now() - timedelta(hours=23))
    assert idempotency_key_purge_task() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_key_purge() == 0


@pytest.mark.django_db(transaction=True)
def test_one_key_sent_100_times_concurrently_acts_once():
    """100 requests with one key from 25 threads (PostgreSQL's max_connections of 100 is shared by parallel runs):
    one effect, 100 identical answers."""
    user = UserFactory()
    clients = [client_for(user) for _ in range(25)]
    responses = []

    def send(index, _n):
        response = credit(clients[index], user, {"amount": "0.25"}, key="concurrent-key")
        responses.append((response.status_code, response.content))
        return response.status_code

    result = report(
        run_concurrently("one Idempotency-Key sent 100 times (25 threads x 4)", send, threads=25, calls_per_thread=4)
    )
    assert not result.errors
    assert result.outcomes == {201: 100}
    assert len(responses) == 100 and len(set(responses)) == 1
    assert balance(user) == Decimal("0.25")
    assert LedgerTransaction.objects.filter(kind="deposit").count() == 1
    assert IdempotencyKey.objects.filter(user=user).count() == 1
