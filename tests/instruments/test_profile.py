import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.selectors import instrument_usable_exists

from .conftest import BIC_DE, ETH_ADDRESSES, IBAN_DE, make_bank, make_card, make_wallet

pytestmark = pytest.mark.django_db


def profile(client, user):
    response = client.get(f"/api/v1/user/{user.pk}")
    assert response.status_code == 200
    return response.json()["data"]


def test_profile_lists_the_users_own_instruments_in_reference_shape(user, user_api, other_user):
    bank = make_bank(user, status="CONFIRMED")
    card = make_card(user)
    wallet = make_wallet(user, address=ETH_ADDRESSES[0], alias="some3", status="CONFIRMED")
    make_bank(other_user, iban=IBAN_DE, swift=BIC_DE)
    make_wallet(other_user, address=ETH_ADDRESSES[1])
    data = profile(user_api, user)
    assert data["wallets"] == [
        {
            "id": str(wallet.pk),
            "status": "CONFIRMED",
            "alias": "some3",
            "address": ETH_ADDRESSES[0],
            "coin": "ETH",
            "createdAt": int(wallet.created_at.timestamp()),
        }
    ]
    assert data["cards"] == [
        {
            "id": str(card.pk),
            "status": "PENDING",
            "alias": "card",
            "holderName": "Ana Pop",
            "expirationDate": "12/39",
            "lastFourDigits": "4242",
            "cardImage1": str(card.image_front_id),
            "cardImage2": str(card.image_holding_id),
            "createdAt": int(card.created_at.timestamp()),
        }
    ]
    assert [item["id"] for item in data["banks"]] == [str(bank.pk)]
    assert set(data["banks"][0]) == {"id", "status", "bankName", "iban", "swift", "currency", "createdAt"}


def test_profile_queries_do_not_grow_with_instruments(user, user_api):
    profile(user_api, user)  # the token's first use writes lastUsedAt
    with CaptureQueriesContext(connection) as empty:
        profile(user_api, user)
    for index, address in enumerate(ETH_ADDRESSES):
        make_wallet(user, address=address, alias=f"w{index}")
        make_card(user)
    make_bank(user)
    with CaptureQueriesContext(connection) as full:
        data = profile(user_api, user)
    assert len(data["wallets"]) == 4 and len(data["cards"]) == 4
    assert len(full.captured_queries) == len(empty.captured_queries)


def test_deleted_instruments_leave_the_profile(user, user_api):
    bank = make_bank(user)
    user_api.delete(f"/api/v1/user/{user.pk}/bank/{bank.pk}")
    assert profile(user_api, user)["banks"] == []


def test_usable_means_confirmed_and_not_deleted(user):
    assert not instrument_usable_exists(user=user, kind="wallet")
    make_wallet(user, address=ETH_ADDRESSES[0])
    assert not instrument_usable_exists(user=user, kind="wallet")
    make_wallet(user, address=ETH_ADDRESSES[1], status="CONFIRMED")
    assert instrument_usable_exists(user=user, kind="wallet")
    bank = make_bank(user, status="CONFIRMED")
    assert instrument_usable_exists(user=user, kind="bank") and bank.is_usable
    assert not instrument_usable_exists(user=user, kind="card")
