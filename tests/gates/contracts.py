"""Contract snapshot cases: for each endpoint of the reference, the request that produces its documented success.

Each issue adds its endpoints here with `@contract("METHOD", "/api/v1/…path as in endpoints.json")`. The function
gets a `Ctx` (a signed-in verified user, an anonymous client, the mail outbox) and returns the response; the
test compares its key structure and value types with the reference's example for the documented status.
Where CCPro knowingly differs, `decisions={"$.json.path": "why"}` names the decision (and the test fails once
the divergence is gone, so the entry gets removed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.services import access_token_create

from ..factories import DEFAULT_PASSWORD


@dataclass
class Ctx:
    api: object  # anonymous APIClient
    user: object  # a verified, active user
    user_api: object  # APIClient signed in as `user`
    mailoutbox: list
    on_commit: Callable  # django_capture_on_commit_callbacks

    def mailed(self, pattern: str) -> str:
        """The first group of `pattern` in the newest mail."""
        return re.search(pattern, self.mailoutbox[-1].body).group(1)


@dataclass(frozen=True)
class Contract:
    call: Callable[[Ctx], object]
    status: int | None = None  # the reference's success status to compare with; default: its only 2xx
    decisions: dict[str, str] = field(default_factory=dict)


CONTRACTS: dict[tuple[str, str], Contract] = {}


def contract(method: str, path: str, *, status: int | None = None, decisions: dict[str, str] | None = None):
    def register(call):
        CONTRACTS[(method.upper(), path)] = Contract(call=call, status=status, decisions=decisions or {})
        return call

    return register


# --- accounts ----------------------------------------------------------------------------------

REGISTRATION = {
    "email": "contract.user@example.com",
    "password": "s3cret-pass",
    "firstName": "Ana",
    "lastName": "Pop",
    "dateOfBirth": "1990-01-31",
    "redirectTo": "https://shop.example/welcome",
}


def _register(ctx: Ctx):
    with ctx.on_commit(execute=True):
        return ctx.api.post("/api/v1/user", REGISTRATION, format="json")


@contract("POST", "/api/v1/authenticate")
def _authenticate(ctx):
    return ctx.api.post("/api/v1/authenticate", {"email": ctx.user.email, "password": DEFAULT_PASSWORD}, format="json")


@contract("POST", "/api/v1/user/logout")
def _logout(ctx):
    return ctx.user_api.post("/api/v1/user/logout")


@contract("GET", "/api/v1/countries")
def _countries(ctx):
    return ctx.api.get("/api/v1/countries")


@contract("POST", "/api/v1/user")
def _user_create(ctx):
    return _register(ctx)


@contract("POST", "/api/v1/user/verify")
def _user_verify(ctx):
    _register(ctx)
    code = ctx.mailed(r"code is: (\w+)")
    return ctx.api.post("/api/v1/user/verify", {"email": REGISTRATION["email"], "code": code}, format="json")


@contract("POST", "/api/v1/user/reverify")
def _user_reverify(ctx):
    _register(ctx)
    with ctx.on_commit(execute=True):
        return ctx.api.post("/api/v1/user/reverify", {"email": REGISTRATION["email"]}, format="json")


@contract("POST", "/api/v1/user/forgot-password")
def _forgot_password(ctx):
    with ctx.on_commit(execute=True):
        return ctx.api.post("/api/v1/user/forgot-password", {"email": ctx.user.email}, format="json")


@contract("POST", "/api/v1/user/reset-password")
def _reset_password(ctx):
    _forgot_password(ctx)
    token = ctx.mailed(r"reset token is: (\w+)")
    body = {"email": ctx.user.email, "token": token, "password": "a-brand-new-password"}
    return ctx.api.post("/api/v1/user/reset-password", body, format="json")


@contract(
    "GET",
    "/api/v1/user/{user}",
    decisions={
        "$.data.wallets[]": "wallets arrive with the instruments issue; a new user has none",
        "$.data.cards[]": "cards arrive with the instruments issue; a new user has none",
        "$.data.banks[]": "banks arrive with the instruments issue; a new user has none",
    },
)
def _profile(ctx):
    from platforms.services import platform_user_link

    ctx.user.phone = "40722111222"
    ctx.user.save(update_fields=["phone"])
    platform_user_link(user=ctx.user)  # externalPlatforms lists where the user came from
    return ctx.user_api.get(f"/api/v1/user/{ctx.user.pk}")


@contract("GET", "/api/v1/user/{user}/securities")
def _securities(ctx):
    _authenticate(ctx)  # a login_success entry with an IP
    return ctx.user_api.get(f"/api/v1/user/{ctx.user.pk}/securities")


@contract("GET", "/api/v1/user/{user}/securities/access")
def _securities_access(ctx):
    ctx.user_api.get(f"/api/v1/user/{ctx.user.pk}")  # sets lastUsedAt
    return ctx.user_api.get(f"/api/v1/user/{ctx.user.pk}/securities/access")


@contract("POST", "/api/v1/user/{user}/securities/change-password")
def _change_password(ctx):
    body = {"current_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-password"}
    return ctx.user_api.post(f"/api/v1/user/{ctx.user.pk}/securities/change-password", body, format="json")


@contract("POST", "/api/v1/user/{user}/securities/invalidate/{token}")
def _invalidate(ctx):
    other_session, _raw = access_token_create(user=ctx.user)
    return ctx.user_api.post(f"/api/v1/user/{ctx.user.pk}/securities/invalidate/{other_session.masked}")


@contract("POST", "/api/v1/user/{user}/account/close/initiate")
def _close_initiate(ctx):
    with ctx.on_commit(execute=True):
        path = f"/api/v1/user/{ctx.user.pk}/account/close/initiate"
        return ctx.user_api.post(path, {"password": DEFAULT_PASSWORD}, format="json")


@contract("POST", "/api/v1/user/{user}/account/close/abort")
def _close_abort(ctx):
    _close_initiate(ctx)
    with ctx.on_commit(execute=True):
        return ctx.user_api.post(f"/api/v1/user/{ctx.user.pk}/account/close/abort")


# --- notifications ------------------------------------------------------------------------------


def _inbox(ctx, count=2):
    from notifications.services import notification_create

    return [
        notification_create(
            user=ctx.user,
            event="order_approved",
            meta={"id": "e8dfeb1f-b69f-441c-bcee-027ed11f417a", "publicId": "YN3DIS2F"},
        )
        for _ in range(count)
    ]


@contract("GET", "/api/v1/user/{user}/notifications/permanently")
def _notifications_permanently(ctx):
    _inbox(ctx)
    _close_initiate(ctx)  # self_deleted_at
    return ctx.user_api.get(f"/api/v1/user/{ctx.user.pk}/notifications/permanently")


@contract("GET", "/api/v1/user/{user}/notifications/temporary/{notification_id?}")
def _notifications_temporary(ctx):
    first, _second = _inbox(ctx)
    return ctx.user_api.get(f"/api/v1/user/{ctx.user.pk}/notifications/temporary/{first.pk}?type=unread")


@contract("POST", "/api/v1/user/{user}/notifications/temporary/mark-as-read")
def _notifications_mark_as_read(ctx):
    _inbox(ctx)
    return ctx.user_api.post(f"/api/v1/user/{ctx.user.pk}/notifications/temporary/mark-as-read")


# --- banks, cards, wallets (issue 5) -----------------------------------------------------------


def _user_path(ctx, suffix: str) -> str:
    return f"/api/v1/user/{ctx.user.pk}/{suffix}"


@contract("POST", "/api/v1/user/{user}/bank")
def _bank_create(ctx):
    from .registry import iban_for

    body = {"bankName": "ING Bank", "iban": iban_for(ctx.user), "swift": "COBADEFFXXX", "currency": "EUR"}
    return ctx.user_api.post(_user_path(ctx, "bank"), body, format="json")


@contract("GET", "/api/v1/user/{user}/bank")
def _bank_list(ctx):
    from .registry import make_bank

    make_bank(ctx.user)
    return ctx.user_api.get(_user_path(ctx, "bank"))


@contract("GET", "/api/v1/user/{user}/bank/{bank}")
def _bank_show(ctx):
    from .registry import make_bank

    return ctx.user_api.get(_user_path(ctx, f"bank/{make_bank(ctx.user).pk}"))


@contract("DELETE", "/api/v1/user/{user}/bank/{bank}")
def _bank_delete(ctx):
    from .registry import make_bank

    return ctx.user_api.delete(_user_path(ctx, f"bank/{make_bank(ctx.user).pk}"))


def _card_body(**overrides):
    from ..instruments.conftest import card_body

    return card_body(**overrides)


@contract("POST", "/api/v1/user/{user}/card", status=201)
def _card_create(ctx):
    return ctx.user_api.post(_user_path(ctx, "card"), _card_body(), format="multipart")


@contract("GET", "/api/v1/user/{user}/card")
def _card_list(ctx):
    from .registry import make_card

    make_card(ctx.user)
    return ctx.user_api.get(_user_path(ctx, "card"))


@contract("GET", "/api/v1/user/{user}/card/{card}")
def _card_show(ctx):
    from .registry import make_card

    return ctx.user_api.get(_user_path(ctx, f"card/{make_card(ctx.user).pk}"))


@contract("POST", "/api/v1/user/{user}/card/{card}")
def _card_update(ctx):
    from .registry import make_card

    path = _user_path(ctx, f"card/{make_card(ctx.user).pk}")
    return ctx.user_api.post(path, _card_body(alias="Renamed"), format="multipart")


@contract("DELETE", "/api/v1/user/{user}/card/{card}")
def _card_delete(ctx):
    from .registry import make_card

    return ctx.user_api.delete(_user_path(ctx, f"card/{make_card(ctx.user).pk}"))


@contract("GET", "/api/v1/user/{user}/wallet")
def _wallet_list(ctx):
    from .registry import make_wallet

    make_wallet(ctx.user)
    return ctx.user_api.get(_user_path(ctx, "wallet"))


@contract("POST", "/api/v1/user/{user}/wallet")
def _wallet_create(ctx):
    from .registry import eth_address_for

    body = {"address": eth_address_for(ctx.user), "alias": "Thanos", "coin": "ETH"}
    return ctx.user_api.post(_user_path(ctx, "wallet"), body, format="json")


@contract("GET", "/api/v1/user/{user}/wallet/{wallet}")
def _wallet_show(ctx):
    from .registry import make_wallet

    return ctx.user_api.get(_user_path(ctx, f"wallet/{make_wallet(ctx.user).pk}"))


@contract("POST", "/api/v1/user/{user}/wallet/{wallet}")
def _wallet_update(ctx):
    from .registry import make_wallet

    path = _user_path(ctx, f"wallet/{make_wallet(ctx.user).pk}")
    return ctx.user_api.post(path, {"alias": "Renamed"}, format="json")


# --- markets and pricing (issue 6) -------------------------------------------------------------


def _market(ctx, *, commissions: dict | None = None):
    """CCPRO offering ETH/XBT/IPSX with a Particular entry for EUR only (as the reference's example), and a
    year of ETH, XBT and IPSX rates so every `rates.raw` period has a value."""
    import time
    from decimal import Decimal

    from django.core.cache import cache

    from platforms.services import default_platform
    from trading.models import Asset, OperationConfig, RateSnapshot
    from trading.selectors import HISTORY_PERIODS
    from trading.services import operations_enable_defaults

    operations_enable_defaults(platform=default_platform())
    OperationConfig.objects.filter(fiat__isnull=False).exclude(fiat__symbol="EUR").delete()
    for (asset, operation), percent in (commissions or {}).items():
        OperationConfig.objects.filter(asset__symbol=asset, operation=operation).update(commission_percent=percent)
    now = int(time.time())
    prices = {"ETH": "160.16", "XBT": "6377", "IPSX": "0.00006304"}
    RateSnapshot.objects.bulk_create(
        RateSnapshot(asset=Asset.objects.get(symbol=symbol), price=Decimal(price), source="contract", ts=now - ago)
        for symbol, price in prices.items()
        for ago in (0, 600, *(span + 60 for span in HISTORY_PERIODS.values()))
    )
    cache.clear()


@contract("GET", "/api/v1/user/{user}/currencies/{asset?}")
def _currencies(ctx):
    _market(ctx)
    return ctx.user_api.get(_user_path(ctx, "currencies/ETH"))


@contract("GET", "/api/v1/user/{user}/currencies/{asset}/history/{period}")
def _currency_history(ctx):
    _market(ctx)
    return ctx.user_api.get(_user_path(ctx, "currencies/ETH/history/day"))


@contract("GET", "/api/v1/user/{user}/price/buy/{from}/{to}")
def _price_buy(ctx):
    _market(ctx, commissions={("XBT", "buy_with_fiat"): "0.1"})
    return ctx.user_api.get(_user_path(ctx, "price/buy/EUR/XBT"), {"from_amount": "100"})


@contract("GET", "/api/v1/user/{user}/price/sell/{from}/{to}")
def _price_sell(ctx):
    _market(ctx, commissions={("ETH", "sell_to_fiat"): "0"})
    return ctx.user_api.get(_user_path(ctx, "price/sell/ETH/EUR"), {"from_amount": "100"})


@contract("GET", "/api/v1/user/{user}/price/withdraw/{from}/{to}")
def _price_withdraw(ctx):
    _market(ctx, commissions={("ETH", "withdraw"): "2"})
    return ctx.user_api.get(_user_path(ctx, "price/withdraw/ETH/ETH"), {"from_amount": "100"})


@contract("GET", "/api/v1/user/{user}/price/withdraw-ico/{from}/{to}")
def _price_withdraw_ico(ctx):
    _market(ctx, commissions={("IPSX", "withdrawIco"): "10"})
    return ctx.user_api.get(_user_path(ctx, "price/withdraw-ico/IPSX/IPSX"), {"from_amount": "100"})


# --- partner platforms (issue 10) --------------------------------------------------------------


def _partner():
    """A partner platform with its key pair, a staff member, a linked user, an IEN call and payment methods."""
    import time
    from decimal import Decimal

    import jwt

    from platforms.models import IenCall
    from platforms.services import platform_create, platform_staff_add, platform_user_link
    from trading.models import Asset, PaymentMethod

    from ..factories import UserFactory

    platform, private_pem = platform_create(code="GOGL", name="Google", base_url="http://www.google.com")
    eur = Asset.objects.get(symbol="EUR")
    PaymentMethod.objects.filter(platform=platform).delete()
    PaymentMethod.objects.create(
        platform=platform,
        kind="bank",
        name="EUR",
        fiat=eur,
        status=False,
        first_max_order_value=Decimal(1000),
        lower_status=True,
        lower_value=Decimal(50),
    )
    PaymentMethod.objects.create(
        platform=platform,
        kind="card",
        name="MobilPay",
        fiat=eur,
        first_max_order_value=Decimal(1000),
        lower_status=True,
        lower_value=Decimal(50),
    )
    platform_staff_add(platform=platform, user=UserFactory(), role="superadmin")
    platform_user_link(user=UserFactory(), platform=platform, external={"userId": "123456789", "username": "test"})
    IenCall.objects.create(
        platform=platform,
        endpoint="https://extPlatform.io",
        request='{"some":"data"}',
        status="200",
        response='{"some":"data"}',
    )
    token = jwt.encode({"platform": str(platform.pk), "expire": int(time.time()) + 600}, private_pem, "RS512")
    return platform, private_pem, {"HTTP_TOKEN": token}


# Amounts are decimal strings everywhere in CCPro (docs/decisions.md, Partner platforms); the reference prints
# these limits as JSON numbers.
_PAYMENT_LIMIT_DECISIONS = {
    f"$.data.paymentMethods.{kind}[].limits.{field}": "limits are decimal strings (Partner platforms decision)"
    for kind in ("bank", "card")
    for field in ("firstMaxOrderValue", "lower.value")
}
_OPERATION_LIMIT_DECISIONS = {
    f"$.data.currencies.coins[].operations.{where}[].{operation}.limits": "limits are null or decimal strings, "
    "never empty strings (markets decision: Currency Index)"
    for where, operation in (
        ("General", "withdraw"),
        ("General", "deposit"),
        ("Particular.EUR", "buy_with_fiat"),
        ("Particular.EUR", "sell_to_fiat"),
    )
}
_SHOW_DECISIONS = {
    **_PAYMENT_LIMIT_DECISIONS,
    **_OPERATION_LIMIT_DECISIONS,
    "$.data.levels[].max": "level maxima are decimal strings, as every amount (Partner platforms decision)",
    "$.data.createdAt": "the platform's creation time is known: Unix seconds rather than the reference's null",
}


@contract("POST", "/api/v1/authenticate-jwt/{platform}")
def _authenticate_jwt(ctx):
    import time

    import jwt

    from platforms.services import platform_user_link

    platform, private_pem, _ = _partner()
    platform_user_link(user=ctx.user, platform=platform)
    token = jwt.encode({"email": ctx.user.email, "expire": int(time.time()) + 3600}, private_pem, "RS512")
    return ctx.api.post(f"/api/v1/authenticate-jwt/{platform.pk}", HTTP_TOKEN=token)


def _partner_market(ctx):
    """The reference example's market: General withdraw/deposit, Particular EUR buy/sell with fiat."""
    from django.core.cache import cache

    from trading.models import OperationConfig

    _market(ctx)
    OperationConfig.objects.filter(fiat__isnull=True).exclude(operation__in=["withdraw", "deposit"]).delete()
    OperationConfig.objects.filter(fiat__isnull=False).exclude(operation__in=["buy_with_fiat", "sell_to_fiat"]).delete()
    cache.clear()


@contract("GET", "/api/v1/platform/{platform}", decisions=_SHOW_DECISIONS)
def _platform_show(ctx):
    _partner_market(ctx)
    platform, _, headers = _partner()
    return ctx.api.get(f"/api/v1/platform/{platform.pk}", **headers)


@contract("POST", "/api/v1/platform/{platform}", decisions=_SHOW_DECISIONS)
def _platform_update(ctx):
    _partner_market(ctx)
    platform, _, headers = _partner()
    body = {
        "name": "Google",
        "baseUrl": "https://google.com/",
        "ienUrl": "https://google.com/",
        "ienType": "jwt",
        "colorCode": "#ffffff",
    }
    return ctx.api.post(f"/api/v1/platform/{platform.pk}", body, format="json", **headers)


@contract("GET", "/api/v1/platform/{platform}/staff")
def _platform_staff(ctx):
    platform, _, headers = _partner()
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/staff", **headers)


@contract("GET", "/api/v1/platform/{platform}/user")
def _platform_users(ctx):
    platform, _, headers = _partner()
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/user", **headers)


@contract("GET", "/api/v1/platform/{platform}/call")
def _platform_calls(ctx):
    platform, _, headers = _partner()
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/call", **headers)


# --- KYC (issue 7) -----------------------------------------------------------------------------


def _kyc_state(ctx, *, leave_open=frozenset()):
    """The reference's KYC Show example: personal data rejected (first and last name), address rejected (street),
    the government ID front rejected (color photo), the other documents accepted, video approved, EDD pending.
    Items named in `leave_open` are left for the request under test to submit."""
    from django.contrib.auth.models import Group

    from kyc import services
    from kyc.models import ItemKind, ItemStatus, KycItem

    from ..factories import UserFactory
    from ..kyc.conftest import image, set_item

    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Compliance officer"))
    user = ctx.user
    user.phone = "40700000000"
    user.save(update_fields=["phone"])
    services.personal_data_submit(user=user, first_name="Alin", last_name="Ionut", date_of_birth=user.date_of_birth)
    address = {"country": "RO", "city": "Pitesti", "zip_code": "111111", "street": "Street details"}
    services.address_submit(user=user, **address)
    kinds = [k for k in ("governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId")]
    for kind in kinds:
        if kind not in leave_open:
            services.document_submit(user=user, kind=kind, upload=image())
    if "enhancedDueDiligence" not in leave_open:
        answers = {
            "transactionsPurpose": "investments",
            "transactionsNatureValue": 1,
            "transactionsNatureFrequency": 2,
            "fundsSource": "credit_debit_card",
            "fundsOrigin": "payroll_funds",
        }
        services.edd_submit(user=user, answers=answers, source_file=image(), origin_file=image())
    if "video" not in leave_open:
        set_item(user, ItemKind.VIDEO, ItemStatus.ACCEPTED)
    items = {item.kind: item for item in KycItem.objects.filter(user=user)}
    services.item_reject(
        item=items["personal"], staff=officer, reasons={"firstName": "incorrect_data", "lastName": "incomplete_data"}
    )
    services.item_reject(item=items["address"], staff=officer, reasons={"street": "incorrect_or_incomplete_data"})
    for kind in kinds:
        if kind in items and kind != "governmentIdFront":
            services.item_accept(item=items[kind], staff=officer)
    if "governmentIdFront" in items:
        services.item_reject(item=items["governmentIdFront"], staff=officer, reasons={"file": "color_photo"})
    return user


@contract("GET", "/api/v1/user/{user}/kyc")
def _kyc_show(ctx):
    _kyc_state(ctx)
    return ctx.user_api.get(_user_path(ctx, "kyc"))


@contract(
    "POST",
    "/api/v1/user/{user}/kyc",
    decisions={"$.data.address": "the address this request submitted awaits review: PENDING, no rejectReason yet"},
)
def _kyc_create(ctx):
    from ..kyc.conftest import image

    _kyc_state(ctx, leave_open={"passport", "utilityBill", "selfieWithId", "enhancedDueDiligence"})
    body = {
        "country": "RO",
        "city": "Pitesti",
        "zip": "123456",
        "street": "Street name Nr. 1",
        "documents[passport]": image(),
        "documents[utilityBill]": image(),
        "documents[selfieWithId]": image(),
        "edd[transactionsPurpose]": "investments",
        "edd[transactionsNatureValue]": "1",
        "edd[transactionsNatureFrequency]": "2",
        "edd[fundsSource]": "credit_debit_card",
        "edd[fundsSourceFile]": image(),
        "edd[fundsOrigin]": "payroll_funds",
        "edd[fundsOriginFile]": image(),
    }
    return ctx.user_api.post(_user_path(ctx, "kyc"), body, format="multipart")


@contract("POST", "/api/v1/user/{user}/kyc/personal-data", status=201)
def _kyc_personal_data(ctx):
    body = {"firstName": "Alin", "lastName": "Ionut", "dateOfBirth": "1990-12-31"}
    return ctx.user_api.post(_user_path(ctx, "kyc/personal-data"), body, format="json")


@contract("POST", "/api/v1/user/{user}/kyc/address")
def _kyc_address(ctx):
    body = {"country": "RO", "city": "Pitesti", "zip": "123456", "street": "Street name Nr. 1"}
    return ctx.user_api.post(_user_path(ctx, "kyc/address"), body, format="json")


@contract("POST", "/api/v1/user/{user}/kyc/document")
def _kyc_document(ctx):
    from ..kyc.conftest import image

    _kyc_state(ctx, leave_open={"selfieWithId"})
    body = {"type": "selfieWithId", "file": image()}
    return ctx.user_api.post(_user_path(ctx, "kyc/document"), body, format="multipart")


@contract(
    "POST",
    "/api/v1/user/{user}/kyc/video",
    decisions={
        "$.data.video.scheduleDate": "the example shows no call; after booking one CCPro shows its Unix time",
        "$.data.video.scheduleDateTimezone": "the booked call's time zone (UTC)",
        "$.data.video.cancelScheduleUrl": "signed portal link to cancel the booked call",
        "$.data.video.rescheduleUrl": "signed portal link to move the booked call",
    },
)
def _kyc_video(ctx):
    from datetime import timedelta

    from django.utils import timezone

    from kyc.models import StaffAvailability

    from ..factories import UserFactory

    _kyc_state(ctx, leave_open={"video"})
    start = (timezone.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    StaffAvailability.objects.create(
        staff=UserFactory(is_staff=True), starts_at=start, ends_at=start + timedelta(hours=4)
    )
    body = {"date": (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")}
    return ctx.user_api.post(_user_path(ctx, "kyc/video"), body, format="json")


@contract("POST", "/api/v1/user/{user}/kyc/edd")
def _kyc_edd(ctx):
    from ..kyc.conftest import image

    _kyc_state(ctx, leave_open={"enhancedDueDiligence"})
    body = {
        "transactionsPurpose": "investments",
        "transactionsNatureValue": 1,
        "transactionsNatureFrequency": 2,
        "fundsSource": "credit_debit_card",
        "fundsSourceFile": image(),
        "fundsOrigin": "personal_savings",
        "fundsOriginFile": image(),
    }
    return ctx.user_api.post(_user_path(ctx, "kyc/edd"), body, format="multipart")


def _kyc_phone_add(ctx):
    with ctx.on_commit(execute=True):
        return ctx.user_api.post(_user_path(ctx, "kyc/phone/add"), {"phone": "40722111222"}, format="json")


contract("POST", "/api/v1/user/{user}/kyc/phone/add")(_kyc_phone_add)


@contract("POST", "/api/v1/user/{user}/kyc/phone/verify")
def _kyc_phone_verify(ctx):
    import re

    from notifications.sms.backends.locmem import outbox

    _kyc_phone_add(ctx)
    code = re.search(r"code is (\d+)", outbox[-1].body).group(1)
    return ctx.user_api.post(_user_path(ctx, "kyc/phone/verify"), {"code": code}, format="json")


@contract("POST", "/api/v1/user/{user}/kyc/phone/reverify")
def _kyc_phone_reverify(ctx):
    _kyc_phone_add(ctx)
    with ctx.on_commit(execute=True):
        return ctx.user_api.post(_user_path(ctx, "kyc/phone/reverify"))


# --- transfers (issue 9) -------------------------------------------------------------------------


def _transfer(ctx, *, complete: bool = True, action: str = "send"):
    """A transfer of 1 ETH between the contract user and another user, completed unless asked otherwise."""
    from trading.transfers import transfer_confirm, transfer_create

    from ..factories import UserFactory
    from .registry import fund_eth

    other = UserFactory()
    payer = ctx.user if action == "send" else other
    fund_eth(payer)
    transfer = transfer_create(
        user=ctx.user, action=action, amount="1", asset_type="coin", symbol="ETH", counterparty=other.email
    )
    return transfer_confirm(user=payer, transfer_id=transfer.pk) if complete else transfer


@contract("GET", "/api/v1/user/{user}/transfer")
def _transfer_index(ctx):
    _transfer(ctx)
    return ctx.user_api.get(_user_path(ctx, "transfer"))


@contract("POST", "/api/v1/user/{user}/transfer")
def _transfer_store(ctx):
    from ..factories import UserFactory
    from .registry import fund_eth

    fund_eth(ctx.user)
    other = UserFactory()
    body = {"action": "send", "amount": "1", "type": "coin", "symbol": "ETH", "user": other.email}
    return ctx.user_api.post(_user_path(ctx, "transfer"), body, format="json")


@contract("GET", "/api/v1/user/{user}/transfer/by")
def _transfer_by(ctx):
    _transfer(ctx)
    return ctx.user_api.get(_user_path(ctx, "transfer/by"))


@contract("GET", "/api/v1/user/{user}/transfer/from")
def _transfer_from(ctx):
    _transfer(ctx)
    return ctx.user_api.get(_user_path(ctx, "transfer/from"))


@contract("GET", "/api/v1/user/{user}/transfer/to")
def _transfer_to(ctx):
    _transfer(ctx, action="receive")
    return ctx.user_api.get(_user_path(ctx, "transfer/to"))


@contract("GET", "/api/v1/user/{user}/transfer/{transfer}")
def _transfer_show(ctx):
    return ctx.user_api.get(_user_path(ctx, f"transfer/{_transfer(ctx).pk}"))


@contract("POST", "/api/v1/user/{user}/transfer/{transfer}")
def _transfer_confirm(ctx):
    transfer = _transfer(ctx, complete=False)
    return ctx.user_api.post(_user_path(ctx, f"transfer/{transfer.pk}"), {}, format="json")


@contract("GET", "/api/v1/platform/{platform}/transfer")
def _platform_transfers(ctx):
    from platforms.services import platform_user_link

    platform, _pem, headers = _partner()
    platform_user_link(user=ctx.user, platform=platform)
    _transfer(ctx, complete=False)
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/transfer", **headers)


# --- quotes, orders, deposits, balances (issue 8) --------------------------------------------------

NO_PARENT = "null while the order has no parent order (only a withdrawal chained after a buy has one)."
NO_PAYMENT_URL = (
    "payment.url is the bank-confirm page of a purchase paid by bank transfer; these cases are sales paid out to the"
    " user's bank or withdrawals, with nothing for the user to send: null (tests/portal/test_bank_confirm_page.py)."
)
NO_INSTRUMENT = "Withdrawals are paid from the balance: no payment method."


def _quote(ctx, *, confirm: bool = False):
    from tests.orders.conftest import confirmed_bank

    _market(ctx)
    bank = confirmed_bank(ctx.user)
    body = {
        "type": "coin",
        "orderType": "sell_to_fiat",
        "orderAmount": "0.2",
        "orderSymbol": "ETH",
        "orderPaymentSymbol": "EUR",
        "orderPaymentType": "bank",
    }
    if confirm:
        from tests.orders.conftest import fund

        fund(ctx.user, "ETH", "1")
    quote = ctx.user_api.post(_user_path(ctx, "quote"), body, format="json").json()["data"]
    return quote, bank


@contract("POST", "/api/v1/user/{user}/quote")
def _quote_create(ctx):
    _market(ctx)
    body = {
        "type": "coin",
        "orderType": "sell_to_fiat",
        "orderAmount": "0.2",
        "orderSymbol": "ETH",
        "orderPaymentSymbol": "EUR",
        "orderPaymentType": "bank",
    }
    return ctx.user_api.post(_user_path(ctx, "quote"), body, format="json")


@contract(
    "GET",
    "/api/v1/user/{user}/quote",
    decisions={"$.data[].payment.id": "The bank chosen at confirmation is recorded on the quote too."},
)
def _quote_index(ctx):
    quote, bank = _quote(ctx, confirm=True)
    ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {"orderPaymentMethod": str(bank.pk)}, format="json")
    return ctx.user_api.get(_user_path(ctx, "quote"))


@contract(
    "GET",
    "/api/v1/user/{user}/quote/{quote}",
    decisions={
        "$.data.payment.id": "The bank chosen at confirmation is recorded on the quote too.",
        "$.data.order.payment.id": "The order names the bank it pays out to.",
    },
)
def _quote_show(ctx):
    quote, bank = _quote(ctx, confirm=True)
    ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {"orderPaymentMethod": str(bank.pk)}, format="json")
    return ctx.user_api.get(_user_path(ctx, f"quote/{quote['id']}"))


@contract(
    "POST",
    "/api/v1/user/{user}/quote/{quote}",
    decisions={
        "$.data.quote.confirmUrl": "null once the quote is completed (nothing left to confirm).",
    },
)
def _quote_confirm(ctx):
    quote, bank = _quote(ctx, confirm=True)
    return ctx.user_api.post(
        _user_path(ctx, f"quote/{quote['id']}"), {"orderPaymentMethod": str(bank.pk)}, format="json"
    )


def _orders(ctx):
    from tests.orders.conftest import confirmed_wallet, fund

    _market(ctx)
    fund(ctx.user, "IPSX", "1000")
    wallet = confirmed_wallet(ctx.user, symbol="IPSX")
    body = {
        "type": "token",
        "orderType": "withdrawIco",
        "orderAmount": "500",
        "orderSymbol": "IPSX",
        "wallet": str(wallet.pk),
    }
    quote = ctx.user_api.post(_user_path(ctx, "quote"), body, format="json").json()["data"]
    order = ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {}, format="json").json()["data"]
    return order


WITHDRAWAL_LIST = {
    "$.data[].parentOrder.id": NO_PARENT,
    "$.data[].parentOrder.publicId": NO_PARENT,
    "$.data[].payment.id": NO_INSTRUMENT,
    "$.data[].payment.method": NO_INSTRUMENT,
    "$.data[].payment.url": NO_PAYMENT_URL,
}


@contract("GET", "/api/v1/user/{user}/order", decisions=WITHDRAWAL_LIST)
def _order_index(ctx):
    _orders(ctx)
    return ctx.user_api.get(_user_path(ctx, "order"))


@contract(
    "GET",
    "/api/v1/user/{user}/order/coin",
    decisions={
        "$.data[].wallet": "A coin sale to fiat has no wallet: null.",
        "$.data[].parentOrder.id": NO_PARENT,
        "$.data[].parentOrder.publicId": NO_PARENT,
        "$.data[].payment.url": NO_PAYMENT_URL,
    },
)
def _order_coin_index(ctx):
    from tests.orders.conftest import fund

    quote, bank = _quote(ctx)
    fund(ctx.user, "ETH", "1")
    ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {"orderPaymentMethod": str(bank.pk)}, format="json")
    return ctx.user_api.get(_user_path(ctx, "order/coin"))


@contract("GET", "/api/v1/user/{user}/order/token", decisions=WITHDRAWAL_LIST)
def _order_token_index(ctx):
    _orders(ctx)
    return ctx.user_api.get(_user_path(ctx, "order/token"))


@contract(
    "GET",
    "/api/v1/user/{user}/order/{order}",
    decisions={
        "$.data.quote": "The embedded quote is the whole Quote Show shape (status, order, confirmUrl…).",
        "$.data.wallet": "A purchase credited to the user's balance has no wallet: null.",
        "$.data.parentOrder.id": NO_PARENT,
        "$.data.parentOrder.publicId": NO_PARENT,
    },
)
def _order_show(ctx):
    """A purchase of ETH paid by the user's bank transfer, as the reference's example (its payment.url is the
    signed bank-confirm link): the body's shape, and the link's shape against the reference's link."""
    from tests.orders.conftest import confirmed_bank

    _market(ctx)
    bank = confirmed_bank(ctx.user)
    body = {
        "type": "coin",
        "orderType": "buy_with_fiat",
        "orderAmount": "0.5",
        "orderSymbol": "ETH",
        "orderPaymentSymbol": "EUR",
        "orderPaymentMethod": str(bank.pk),
    }
    quote = ctx.user_api.post(_user_path(ctx, "quote"), body, format="json").json()["data"]
    order = ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {}, format="json").json()["data"]
    response = ctx.user_api.get(_user_path(ctx, f"order/{order['id']}"))
    _bank_confirm_link_check(response.json()["data"], reference="GET /api/v1/user/{user}/order/{order}")
    return response


def _bank_confirm_link_check(order: dict, *, reference: str) -> None:
    """payment.url has the reference example's shape: the same path, the same query keys in the same order, the
    order's id where the reference has its order id and a 64-hex signature, on SITE_URL (not the reference's
    dev-checkout host)."""
    import json
    from pathlib import Path
    from urllib.parse import parse_qsl, urlsplit

    from django.conf import settings

    method, path = reference.split(" ", 1)
    endpoints = json.loads((Path(__file__).resolve().parents[3] / "shared" / "spec" / "endpoints.json").read_text())
    endpoint = next(e for e in endpoints if (e["method"], e["path"]) == (method, path))
    example = next(r for r in endpoint["responses"] if 200 <= r["status"] < 300)["example"]["data"]
    ours, theirs = urlsplit(order["payment"]["url"]), urlsplit(re.sub(r"\s+", "", example["payment"]["url"]))
    ours_query, theirs_query = parse_qsl(ours.query), parse_qsl(theirs.query)
    assert f"{ours.scheme}://{ours.netloc}" == settings.SITE_URL, order["payment"]["url"]
    assert ours.path == theirs.path == "/payment/bank-confirm", (ours.path, theirs.path)
    assert [key for key, _ in ours_query] == [key for key, _ in theirs_query] == ["order", "signature"]
    (_, order_id), (_, signature) = ours_query
    (_, their_order_id), (_, their_signature) = theirs_query
    uuid_shape, hex64 = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"), re.compile(r"^[0-9a-f]{64}$")
    assert uuid_shape.match(their_order_id) and hex64.match(their_signature), example["payment"]["url"]
    assert order_id == order["id"] and uuid_shape.match(order_id) and hex64.match(signature), order["payment"]


def _platform_trading(ctx):
    """The user, linked to a partner platform that offers the default operations, sells 0.2 ETH to EUR by bank
    (a completed quote and its order). Returns (platform, token headers)."""
    from django.core.cache import cache

    from platforms.services import platform_user_link
    from trading.models import PaymentMethod
    from trading.services import operations_enable_defaults

    platform, _pem, headers = _partner()
    platform_user_link(user=ctx.user, platform=platform)
    operations_enable_defaults(platform=platform)
    PaymentMethod.objects.filter(platform=platform, kind="bank").update(status=True)  # _partner's is disabled
    cache.clear()
    quote, bank = _quote(ctx, confirm=True)
    ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {"orderPaymentMethod": str(bank.pk)}, format="json")
    return platform, headers


@contract(
    "GET",
    "/api/v1/platform/{platform}/order",
    decisions={
        "$.data[].wallet": "A coin sale to fiat has no wallet: null.",
        "$.data[].parentOrder.id": NO_PARENT,
        "$.data[].parentOrder.publicId": NO_PARENT,
        "$.data[].payment.url": NO_PAYMENT_URL,
    },
)
def _platform_orders(ctx):
    platform, headers = _platform_trading(ctx)
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/order", **headers)


@contract(
    "GET",
    "/api/v1/platform/{platform}/quote",
    decisions={"$.data[].payment.id": "The bank chosen at confirmation is recorded on the quote too."},
)
def _platform_quotes(ctx):
    platform, headers = _platform_trading(ctx)
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/quote", **headers)


@contract("POST", "/api/v1/user/{user}/order/{order}/payment-confirmation")
def _order_payment_confirmation(ctx):
    from tests.instruments.conftest import image_upload
    from tests.orders.conftest import confirmed_bank

    _market(ctx)
    bank = confirmed_bank(ctx.user)
    body = {
        "type": "coin",
        "orderType": "buy_with_fiat",
        "orderAmount": "0.2",
        "orderSymbol": "ETH",
        "orderPaymentSymbol": "EUR",
        "orderPaymentMethod": str(bank.pk),
    }
    quote = ctx.user_api.post(_user_path(ctx, "quote"), body, format="json").json()["data"]
    order = ctx.user_api.post(_user_path(ctx, f"quote/{quote['id']}"), {}, format="json").json()["data"]
    path = _user_path(ctx, f"order/{order['id']}/payment-confirmation")
    return ctx.user_api.post(path, {"file": image_upload()}, format="multipart")


@contract("POST", "/api/v1/user/{user}/deposit")
def _deposit(ctx):
    _market(ctx)
    body = {"type": "token", "symbol": "IPSX", "amount": "100", "wallet": "0x2f20", "txID": "0xccb5d3e1"}
    return ctx.user_api.post(_user_path(ctx, "deposit"), body, format="json")


@contract("POST", "/api/v1/user/{user}/deposit/address")
def _deposit_address(ctx):
    from tests.instruments.conftest import ETH_ADDRESSES
    from trading.models import Asset
    from trading.orders import deposit_addresses_import

    _market(ctx)
    deposit_addresses_import(
        chain=Asset.objects.get(symbol="ETH"), addresses=ETH_ADDRESSES, destination="broker", type="cold"
    )
    return ctx.user_api.post(
        _user_path(ctx, "deposit/address"), {"asset": "ETH", "destination": "broker"}, format="json"
    )


@contract("GET", "/api/v1/user/{user}/balances/{asset?}")
def _balances(ctx):
    from tests.orders.conftest import fund

    _market(ctx)
    fund(ctx.user, "XBT", "0.5")
    fund(ctx.user, "IPSX", "350")
    return ctx.user_api.get(_user_path(ctx, "balances"))


# --- checkouts (issue 10, checkout widget) -------------------------------------------------------

_CHECKOUT_URL = "the entry URL the checkout was opened with (as Platform Checkouts shows it; this example has null)"


def _checkout_opened(ctx):
    """The partner (checkout enabled) sends ctx.user to the widget with a signed token; the entry URL opens it."""
    import time
    import uuid
    from urllib.parse import urlencode

    import jwt
    from django.test import Client

    platform, private_pem, headers = _partner()
    platform.checkout_enabled = True
    platform.save(update_fields=["checkout_enabled"])
    payload = {
        "user": {"id": "29", "email": ctx.user.email, "first_name": "Ana", "last_name": "Pop", "dob": "1990-01-31"},
        "payment": {
            "operation": "buy",
            "type": "coin",
            "symbol": "ETH",
            "amount": "1",
            "fiat": "EUR",
            "request_id": str(uuid.uuid4()),
            "method": "bank",
            "attempts": 3,
        },
        "ping_url": "https://shop.example/ping",
        "redirect_url": "https://shop.example/done",
        "expire": int(time.time()) + 3600,
    }
    token = jwt.encode(payload, private_pem, "RS512")
    response = Client().get("/checkout/?" + urlencode({"platform": platform.code, "token": token, "lang": "en"}))
    assert response.status_code == 302, response.content[:500]
    return platform, headers


@contract("GET", "/api/v1/user/{user}/checkout", decisions={"$.data[].url": _CHECKOUT_URL})
def _checkout_index(ctx):
    _checkout_opened(ctx)
    return ctx.user_api.get(_user_path(ctx, "checkout"), {"status": "created"})


@contract("GET", "/api/v1/user/{user}/checkout/{checkout}", decisions={"$.data.url": _CHECKOUT_URL})
def _checkout_show(ctx):
    from platforms.checkout_models import Checkout

    _checkout_opened(ctx)
    checkout = Checkout.objects.get(user=ctx.user)
    return ctx.user_api.get(_user_path(ctx, f"checkout/{checkout.pk}"))


@contract("GET", "/api/v1/platform/{platform}/checkout")
def _platform_checkouts(ctx):
    platform, headers = _checkout_opened(ctx)
    return ctx.api.get(f"/api/v1/platform/{platform.pk}/checkout", **headers)
