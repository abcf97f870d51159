"""Level computation, level by level on CCPRO's 5-level configuration, and `kyc_level_required`."""

from decimal import Decimal

import pytest

from kyc.models import ItemKind, ItemStatus, KycLevel, KycState
from kyc.selectors import platform_kyc_levels
from kyc.services import kyc_level_required
from platforms.services import default_platform

from ..factories import UserFactory
from .conftest import LEVEL_ITEMS, accept, path, reach_level, set_item

pytestmark = pytest.mark.django_db

# CCPRO's seeded maxima (kyc/migrations/0002): level -> buy/sell per month in EUR.
MAXIMA = {1: Decimal(1000), 2: Decimal(5000), 3: Decimal(20000), 4: Decimal(50000), 5: Decimal(200000)}
NEXT_STEP = {0: "phone", 1: "personal", 2: "documents", 3: "enhancedDueDiligence", 4: "documents", 5: None}


def test_ccpro_has_five_levels_seeded():
    levels = platform_kyc_levels(platform=default_platform())
    assert [lv["level"] for lv in levels] == ["1", "2", "3", "4", "5"]
    assert levels[0]["required"] == ["email", "phone"]
    assert levels[4]["required"][-1] == "extendedProofOfFunds"
    assert levels[1]["max"] == {"buy": Decimal("5000.00"), "sell": Decimal("5000.00")}


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4, 5])
def test_level_by_level(level, user, user_api):
    reach_level(user, level)
    data = user_api.get(path(user)).json()["data"]
    assert data["level"] == level
    assert KycState.objects.get(user=user).level == level if level else True
    assert data["required"] == NEXT_STEP[level]
    nxt = MAXIMA.get(level + 1, MAXIMA[5])
    assert data["amountsNextLevel"] == {"buy": str(nxt), "sell": str(nxt)}
    assert data["amounts"] == {"buy": "0", "sell": "0"}
    assert data["status"] == ("ACCEPTED" if level else "NOT COMPLETED")


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_one_missing_item_keeps_the_level_below(level, user, user_api):
    reach_level(user, level - 1)
    *rest, last = LEVEL_ITEMS[level]
    accept(user, *rest)
    assert user_api.get(path(user)).json()["data"]["level"] == level - 1
    accept(user, last)
    assert user_api.get(path(user)).json()["data"]["level"] == level


def test_email_must_be_verified_for_level_one(user_api, user):
    user.email_verified_at = None
    user.save()
    accept(user, ItemKind.PHONE)
    assert user_api.get(path(user)).json()["data"]["level"] == 0


def test_both_id_sides_stand_for_a_passport(user, user_api):
    reach_level(user, 1)
    accept(user, ItemKind.PERSONAL, ItemKind.ADDRESS, ItemKind.UTILITY_BILL, ItemKind.GOVERNMENT_ID_FRONT)
    assert user_api.get(path(user)).json()["data"]["level"] == 1
    accept(user, ItemKind.GOVERNMENT_ID_BACK)
    assert user_api.get(path(user)).json()["data"]["level"] == 2


def test_documents_need_the_personal_data_accepted(user, user_api):
    reach_level(user, 1)
    accept(user, ItemKind.ADDRESS, ItemKind.UTILITY_BILL, ItemKind.PASSPORT)
    set_item(user, ItemKind.PERSONAL, ItemStatus.PENDING)
    data = user_api.get(path(user)).json()["data"]
    assert data["level"] == 1
    assert data["status"] == "PENDING"


@pytest.mark.parametrize(
    ("level", "amount", "allowed", "required"),
    [
        (0, "1", False, 1),
        (0, "4000", False, 2),
        (1, "1000", True, None),
        (1, "1000.01", False, 2),
        (2, "5000", True, None),
        (2, "19999", False, 3),
        (3, "20000", True, None),
        (3, "20000.01", False, 4),
        (4, "50000", True, None),
        (4, "150000", False, 5),
        (5, "200000", True, None),
        (5, "200000.01", False, None),
    ],
)
def test_kyc_level_required(level, amount, allowed, required):
    user = UserFactory()
    reach_level(user, level)
    for operation in ("buy_with_fiat", "sell_to_fiat"):
        check = kyc_level_required(user=user, operation=operation, amount=Decimal(amount), fiat="EUR")
        assert (check.allowed, check.required_level, check.level) == (allowed, required, level)


def test_kyc_level_required_counts_the_period_and_converts_fiat(user, monkeypatch):
    reach_level(user, 1)
    monkeypatch.setattr("kyc.services.period_amounts", lambda *, user: {"buy": Decimal(900), "sell": Decimal(0)})
    assert kyc_level_required(user=user, operation="buy_with_fiat", amount=Decimal(100), fiat="EUR").allowed
    assert not kyc_level_required(user=user, operation="deposit", amount=Decimal("100.01"), fiat="EUR").allowed
    assert kyc_level_required(user=user, operation="withdraw", amount=Decimal(1000), fiat="EUR").allowed
    prices = {"EUR": Decimal(1), "RON": Decimal("0.2")}
    monkeypatch.setattr("trading.selectors.rate_price", lambda symbol, **kw: prices[symbol])
    assert kyc_level_required(user=user, operation="buy_with_fiat", amount=Decimal(500), fiat="RON").allowed
    assert not kyc_level_required(user=user, operation="buy_with_fiat", amount=Decimal(501), fiat="RON").allowed


def test_level_changes_apply_at_once(user, user_api):
    reach_level(user, 1)
    KycLevel.objects.filter(platform=default_platform(), number=1).update(max_buy=Decimal(1))  # no signal
    level = KycLevel.objects.get(platform=default_platform(), number=1)
    level.max_buy = Decimal(2500)
    level.save()
    check = kyc_level_required(user=user, operation="buy_with_fiat", amount=Decimal(2500), fiat="EUR")
    assert check.allowed
