"""Demo transfers for `manage.py demo_seed`: the demo user and a friend, both funded, with a completed send, a
completed receive and a receive waiting for the demo user's confirmation (it expires 180 s later, by the beat
task, and the reservation goes back)."""

from decimal import Decimal

from django.utils import timezone

from accounts.demo import VERIFIED
from accounts.models import User
from platforms.services import platform_user_link

from .ledger import customer_account, ledger_post, system_account
from .ledger_models import LedgerAccount
from .models import Asset
from .transfer_models import Transfer
from .transfers import transfer_confirm, transfer_create

FRIEND = ("friend@ccpro.local", "ccpro-demo-1234")
FUNDING = {"ETH": Decimal("5"), "XBT": Decimal("0.5")}


def _fund(user) -> None:
    for symbol, amount in FUNDING.items():
        asset = Asset.objects.get(symbol=symbol)
        ledger_post(
            idempotency_key=f"demo-transfer-funding:{user.pk}:{symbol}",
            kind="deposit",
            legs=[
                (system_account(asset=asset, kind=LedgerAccount.Kind.OMNIBUS), -amount),
                (customer_account(user=user, asset=asset), amount),
            ],
            memo="demo funding",
        )


def _phone_verified(user, phone: str) -> None:
    """KYC level 1 (phone verified, as kyc.demo does it): transfers need the parties' KYC limits to allow them."""
    from kyc import services as kyc_services
    from kyc.models import ItemKind, KycItem

    item, _ = KycItem.objects.get_or_create(user=user, kind=ItemKind.PHONE)
    if item.status == "ACCEPTED":
        return
    user.phone = user.phone or phone
    user.save(update_fields=["phone"])
    item.user = user
    if item.status != "PENDING":
        kyc_services._transition(item, "PENDING", actor=user, action="submitted", data={"phone": user.phone})
    kyc_services._transition(item, "ACCEPTED", actor=user, action="verified by SMS code (demo)")
    kyc_services.kyc_state_recompute(user=user)


def seed() -> list[str]:
    demo = User.objects.filter(email=VERIFIED[0]).first()
    if demo is None:
        return []
    friend = User.objects.filter(email=FRIEND[0]).first()
    if friend is None:
        friend = User.objects.create_user(
            FRIEND[0],
            FRIEND[1],
            first_name="Ioana",
            last_name="Marin",
            is_active=True,
            email_verified_at=timezone.now(),
        )
        platform_user_link(user=friend)
    _fund(demo)
    _fund(friend)
    _phone_verified(demo, "40722111090")
    _phone_verified(friend, "40722111091")
    if not Transfer.objects.filter(by_user__in=[demo, friend]).exists():
        sent = transfer_create(
            user=demo, action="send", amount="0.25", asset_type="coin", symbol="ETH", counterparty=friend.email
        )
        transfer_confirm(user=demo, transfer_id=sent.pk)
        asked = transfer_create(
            user=demo, action="receive", amount="0.01", asset_type="coin", symbol="XBT", counterparty=friend.email
        )
        transfer_confirm(user=friend, transfer_id=asked.pk)
        transfer_create(
            user=friend, action="receive", amount="0.2", asset_type="coin", symbol="ETH", counterparty=demo.email
        )
    return [
        f"user (transfers' counterparty): {FRIEND[0]} / {FRIEND[1]}  id {friend.pk}",
        "transfers: demo → friend 0.25 ETH and friend → demo 0.01 XBT completed; friend asks demo for 0.2 ETH "
        "(POST user/{user}/transfer/{transfer} as demo within 180 s confirms it)",
    ]
