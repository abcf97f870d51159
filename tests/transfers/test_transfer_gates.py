"""Transfers refuse parties who may not trade, and apply both parties' KYC limits (through HTTP)."""

import pytest

from trading.transfer_models import Transfer

from ..kyc.conftest import reach_level
from .conftest import balances, fund

pytestmark = pytest.mark.django_db


def create(client, owner, **body):
    payload = {"action": "send", "amount": "1", "type": "coin", "symbol": "ETH"}
    payload.update(body)
    return client.post(f"/api/v1/user/{owner.pk}/transfer", payload, format="json")


def suspend(user):
    user.trade_status = False
    user.save(update_fields=["trade_status"])


@pytest.mark.parametrize("action", ["send", "receive"])
def test_caller_who_may_not_trade_is_refused(user, user_api, other_user, eth, action):
    fund(user, eth, "2")
    fund(other_user, eth, "2")
    suspend(user)
    response = create(user_api, user, action=action, user=other_user.email)
    assert response.status_code == 403
    assert response.json() == {"message": "Your account is not allowed to trade."}
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("action", ["send", "receive"])
def test_counterparty_who_may_not_trade_is_refused(user, user_api, other_user, eth, action):
    fund(user, eth, "2")
    fund(other_user, eth, "2")
    suspend(other_user)
    response = create(user_api, user, action=action, user=other_user.email)
    assert response.status_code == 403
    assert response.json() == {"message": "The other user is not allowed to trade."}
    assert not Transfer.objects.exists() and balances(user, eth) == (2, 0)


def test_confirm_refused_when_a_party_was_suspended_meanwhile(user, user_api, other_user, eth):
    fund(user, eth, "2")
    transfer_id = create(user_api, user, user=other_user.email).json()["data"]["id"]
    suspend(other_user)
    response = user_api.post(f"/api/v1/user/{user.pk}/transfer/{transfer_id}", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "The other user is not allowed to trade."}
    assert Transfer.objects.get(pk=transfer_id).status == Transfer.Status.PENDING
    assert balances(user, eth) == (1, 1)


def test_kyc_limits_apply_to_both_parties(user, user_api, other_user, other_api, eth, kyc_limits):
    fund(user, eth, "2")
    fund(other_user, eth, "2")
    response = create(user_api, user, user=other_user.email)
    assert response.status_code == 403
    assert response.json() == {"message": "KYC level 1 is required for this transfer."}
    reach_level(user, 5)
    response = create(user_api, user, user=other_user.email)
    assert response.status_code == 403
    assert response.json() == {"message": "The other user's KYC level does not allow this transfer."}
    # a receive asked by the level-0 user: their own refusal comes first
    response = create(other_api, other_user, action="receive", user=user.email)
    assert response.json() == {"message": "KYC level 1 is required for this transfer."}
    assert not Transfer.objects.exists() and balances(user, eth) == (2, 0)
    reach_level(other_user, 5)
    assert create(user_api, user, user=other_user.email).status_code == 200
