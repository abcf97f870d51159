"""Concurrency suite on real PostgreSQL: real threads, real transactions, figures in the pytest summary.

Scenarios here cover what exists; the ledger and transfer issues add theirs (double spends, balances never
negative, one confirmation per transfer) with `run_concurrently` from tests/gates/concurrency.py.
"""

import pytest
from rest_framework.test import APIClient

from accounts.models import AccessToken, SecurityEvent
from accounts.services import access_token_create

from ..conftest import client_for
from ..factories import DEFAULT_PASSWORD, UserFactory
from .concurrency import report, run_concurrently

# serialized_rollback: the flush after a transactional test must not take the migrations' seed data with it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_one_token_invalidated_by_many_at_once_is_revoked_once():
    user = UserFactory()
    target, _raw = access_token_create(user=user)
    clients = [client_for(user) for _ in range(8)]
    path = f"/api/v1/user/{user.pk}/securities/invalidate/{target.masked}"
    result = report(
        run_concurrently("invalidate one token from 8 sessions", lambda i, _n: clients[i].post(path).status_code)
    )
    assert not result.errors
    assert result.outcomes == {200: 1, 403: 7}
    assert SecurityEvent.objects.filter(user=user, code=SecurityEvent.Code.TOKEN_INVALIDATED).count() == 1


def test_parallel_sign_ins_each_get_their_own_token():
    user = UserFactory()

    def sign_in(_i, _n):
        body = {"email": user.email, "password": DEFAULT_PASSWORD}
        return APIClient().post("/api/v1/authenticate", body, format="json").status_code

    result = report(run_concurrently("sign in 4 threads x 5", sign_in, threads=4, calls_per_thread=5))
    assert not result.errors
    # Five successful sign-ins per account per window are not limited (the limit counts failures only).
    assert result.outcomes == {200: 20}
    assert AccessToken.objects.filter(user=user).count() == 20


def test_concurrent_registrations_of_one_email_create_one_account_and_are_never_rate_limited():
    """The per-address mail allowance (5 an hour) is spent only by a registration that got the email: the
    losers of the race answer "already taken" (422), not 429, and nothing of theirs remains."""
    from accounts.models import User

    body = {
        "email": "race@example.com",
        "password": "s3cret-pass",
        "firstName": "Ana",
        "lastName": "Pop",
        "dateOfBirth": "1990-01-31",
    }

    def register(_i, _n):
        response = APIClient().post("/api/v1/user", body, format="json")
        if response.status_code == 422:
            assert response.json()["errors"]["email"] == ["The email has already been taken."]
        return response.status_code

    result = report(run_concurrently("register one email from 8 threads", register, threads=8))
    assert not result.errors
    assert result.outcomes == {201: 1, 422: 7}
    assert User.objects.filter(email="race@example.com").count() == 1
