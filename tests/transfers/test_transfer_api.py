"""Transfers through the HTTP API: both actions, confirmation, refusal, expiry, listings, refusals."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.instruments_models import InstrumentStatus
from accounts.models import Wallet
from notifications.models import Notification
from platforms.models import Platform
from platforms.services import platform_user_link
from trading.ledger_models import LedgerTransaction
from trading.models import Asset
from trading.tasks import transfer_expire_due_task
from trading.transfer_models import Transfer, TransferConfig, TransferStatusChange

from ..conftest import client_for
from ..factories import UserFactory
from .conftest import balances, fund, revenue

D = Decimal


def create(client, owner, **body):
    payload = {"action": "send", "amount": "1", "type": "coin", "symbol": "ETH"}
    payload.update(body)
    return client.post(f"/api/v1/user/{owner.pk}/transfer", payload, format="json")


def confirm(client, user, transfer_id, body=None, **headers):
    return client.post(f"/api/v1/user/{user.pk}/transfer/{transfer_id}", body or {}, format="json", **headers)


def ledger_clean() -> bool:
    out = StringIO()
    call_command("ledger_check", "--no-progress", stdout=out, stderr=StringIO())
    return "OK" in out.getvalue()


@pytest.mark.django_db
def test_send_reserves_then_confirm_moves_funds_with_commission(user, user_api, other_user, eth):
    fund(user, eth, "2")
    response = create(user_api, user, amount="1", user=other_user.email)
    assert response.status_code == 200
    body = response.json()["data"]
    assert body["status"] == "pending"
    assert (body["amount"], body["total"]) == ("1.000000000000000000", "0.990000000000000000")
    assert body["commission"] == {"value": "0.010000000000000000", "percent": "1"}
    assert body["byUser"] == body["fromUser"] == {"id": str(user.pk), "email": user.email}
    assert body["toUser"] == {"id": str(other_user.pk), "email": other_user.email}
    assert body["fromOrder"] == body["toOrder"] == {"id": None, "publicId": None}
    assert body["externalPlatform"] == {"code": None, "name": None, "url": None}
    assert body["lifeSeconds"] == 180 and body["lifeUntilAt"] - body["createdAt"] == 180
    assert len(body["publicId"]) == 8
    assert balances(user, eth) == (D("1"), D("1"))

    done = confirm(user_api, user, body["id"])
    assert done.status_code == 200
    data = done.json()["data"]
    assert data["status"] == "completed"
    assert data["fromOrder"]["id"] and len(data["fromOrder"]["publicId"]) == 8
    assert data["toOrder"]["id"] and data["toOrder"]["id"] != data["fromOrder"]["id"]
    assert balances(user, eth) == (D("1"), D("0"))
    assert balances(other_user, eth) == (D("0.99"), D("0"))
    assert revenue(eth) == D("0.01")
    assert LedgerTransaction.objects.filter(kind="transfer_complete").count() == 1
    assert ledger_clean()
    codes = set(Notification.objects.values_list("user_id", "code"))
    assert {(user.pk, "transfer_completed"), (other_user.pk, "transfer_received")} <= codes


@pytest.mark.django_db
def test_receive_is_confirmed_by_the_asked_payer(user, user_api, other_user, other_api, eth):
    fund(other_user, eth, "5")
    response = create(user_api, user, action="receive", amount="2.5", user=str(other_user.pk))
    assert response.status_code == 200
    body = response.json()["data"]
    assert body["byUser"]["id"] == body["toUser"]["id"] == str(user.pk)
    assert body["fromUser"]["id"] == str(other_user.pk)
    assert balances(other_user, eth) == (D("2.5"), D("2.5"))
    assert Notification.objects.filter(user=other_user, code="transfer_requested").exists()
    # The requester cannot approve being paid.
    refused = confirm(user_api, user, body["id"])
    assert refused.status_code == 403 and refused.json() == {"message": "This action is unauthorized."}
    done = confirm(other_api, other_user, body["id"])
    assert done.status_code == 200 and done.json()["data"]["status"] == "completed"
    assert balances(user, eth) == (D("2.475"), D("0"))
    assert balances(other_user, eth) == (D("2.5"), D("0"))
    # A second confirmation is refused.
    again = confirm(other_api, other_user, body["id"])
    assert again.status_code == 409 and again.json() == {"message": "The transfer is already completed."}


@pytest.mark.django_db
def test_send_to_the_recipient_cannot_be_confirmed_by_the_recipient(user, user_api, other_user, other_api, eth):
    fund(user, eth, "1")
    transfer_id = create(user_api, user, user=other_user.email).json()["data"]["id"]
    assert confirm(other_api, other_user, transfer_id).status_code == 403
    assert Transfer.objects.get(pk=transfer_id).status == "pending"


@pytest.mark.django_db
def test_receive_confirmation_may_name_a_wallet_of_the_payer(user, user_api, other_user, other_api, eth):
    fund(other_user, eth, "1")
    wallet = Wallet.objects.create(
        user=other_user, asset=eth, address="0x" + "ab" * 20, alias="main", status=InstrumentStatus.CONFIRMED
    )
    transfer_id = create(user_api, user, action="receive", user=other_user.email).json()["data"]["id"]
    bad = confirm(other_api, other_user, transfer_id, {"wallet": "0x" + "cd" * 20})
    assert bad.status_code == 422 and bad.json()["errors"] == {"wallet": ["The selected wallet is invalid."]}
    assert confirm(other_api, other_user, transfer_id, {"wallet": str(wallet.pk)}).status_code == 200
    assert Transfer.objects.get(pk=transfer_id).wallet == wallet


@pytest.mark.django_db
def test_wallet_only_for_a_receive(user, user_api, other_user, eth):
    fund(user, eth, "1")
    transfer_id = create(user_api, user, user=other_user.email).json()["data"]["id"]
    response = confirm(user_api, user, transfer_id, {"wallet": "0x" + "ab" * 20})
    assert response.status_code == 422
    assert response.json()["errors"] == {"wallet": ["The wallet can be specified only for a receive transfer."]}


@pytest.mark.django_db
def test_refuse_releases_the_reservation(user, user_api, other_user, other_api, eth):
    fund(other_user, eth, "3")
    transfer_id = create(user_api, user, action="receive", amount="3", user=other_user.email).json()["data"]["id"]
    response = confirm(other_api, other_user, transfer_id, {"action": "refuse"})
    assert response.status_code == 200 and response.json()["data"]["status"] == "refused"
    assert balances(other_user, eth) == (D("3"), D("0"))
    gone = confirm(other_api, other_user, transfer_id)
    assert gone.status_code == 410 and gone.json() == {"message": "The transfer has been refused."}
    assert ledger_clean()


@pytest.mark.django_db
def test_expiry_task_expires_once_and_releases(user, user_api, other_user, eth):
    fund(user, eth, "2")
    first = create(user_api, user, user=other_user.email).json()["data"]["id"]
    second = create(user_api, user, user=other_user.email).json()["data"]["id"]
    Transfer.objects.filter(pk=first).update(life_until_at=timezone.now() - timedelta(seconds=1))
    assert transfer_expire_due_task() == 1
    assert transfer_expire_due_task() == 0
    assert Transfer.objects.get(pk=first).status == "expired"
    assert Transfer.objects.get(pk=second).status == "pending"
    assert balances(user, eth) == (D("1"), D("1"))
    assert TransferStatusChange.objects.filter(transfer_id=first, to_status="expired").count() == 1
    assert LedgerTransaction.objects.filter(kind="transfer_release").count() == 1
    assert Notification.objects.filter(code="transfer_expired").count() == 2
    gone = confirm(user_api, user, first)
    assert gone.status_code == 410 and gone.json() == {"message": "The transfer has expired."}
    assert ledger_clean()


@pytest.mark.django_db
def test_confirm_after_the_deadline_expires_it_before_the_sweep(user, user_api, other_user, eth):
    fund(user, eth, "1")
    transfer_id = create(user_api, user, user=other_user.email).json()["data"]["id"]
    Transfer.objects.filter(pk=transfer_id).update(life_until_at=timezone.now() - timedelta(seconds=1))
    response = confirm(user_api, user, transfer_id)
    assert response.status_code == 410
    assert Transfer.objects.get(pk=transfer_id).status == "expired"
    assert balances(user, eth) == (D("1"), D("0"))
    assert transfer_expire_due_task() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"user": "nobody@example.com"}, {"user": ["The selected user is invalid."]}),
        ({"symbol": "EUR", "type": "coin"}, {"symbol": ["The selected symbol is invalid."]}),
        ({"symbol": "ETH", "type": "token"}, {"symbol": ["The selected symbol is invalid."]}),
        ({"amount": "0"}, {"amount": ["The selected amount is invalid."]}),
        ({"amount": "-1"}, {"amount": ["The amount must be at least 0."]}),
        ({"amount": "abc"}, {"amount": ["The amount must be a number."]}),
        ({"amount": "0.0001"}, {"amount": ["The amount must be at least 0.001."]}),
        ({"amount": "0.0000000000000000001"}, {"amount": ["The amount may not have more than 18 decimal places."]}),
        ({"action": "steal"}, {"action": ["The selected action is invalid."]}),
    ],
)
def test_invalid_requests_are_422_and_change_nothing(user, user_api, other_user, eth, body, errors):
    fund(user, eth, "1")
    response = create(user_api, user, **{"user": other_user.email, **body})
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": errors}
    assert not Transfer.objects.exists() and balances(user, eth) == (D("1"), D("0"))


@pytest.mark.django_db
def test_missing_fields_are_422(user, user_api):
    response = user_api.post(f"/api/v1/user/{user.pk}/transfer", {}, format="json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"action", "amount", "type", "symbol", "user"}


@pytest.mark.django_db
def test_refusals_self_inactive_untransferable_and_funds(user, user_api, other_user, eth):
    fund(user, eth, "1")
    assert create(user_api, user, user=user.email).json()["errors"] == {"user": ["You cannot transfer to yourself."]}
    inactive = UserFactory(is_active=False)
    assert create(user_api, user, user=inactive.email).json()["errors"] == {"user": ["The selected user is invalid."]}
    xbt = Asset.objects.get(symbol="XBT")
    TransferConfig.objects.filter(asset=xbt).update(active=False)
    response = create(user_api, user, user=other_user.email, symbol="XBT")
    assert response.json()["errors"] == {"symbol": ["The selected symbol cannot be transferred."]}
    poor = create(user_api, user, user=other_user.email, amount="1.5")
    assert poor.status_code == 403 and poor.json() == {"message": "Insufficient funds."}
    asked = create(user_api, user, action="receive", user=other_user.email, amount="1")
    assert asked.status_code == 403 and asked.json() == {"message": "The other user cannot pay this amount."}
    assert not Transfer.objects.exists()


@pytest.mark.django_db
def test_partner_platform_terms_and_external_platform(user, user_api, other_user, eth):
    partner = Platform.objects.create(code="PARTNER", name="Partner", base_url="https://partner.example/")
    platform_user_link(user=user, platform=partner)
    TransferConfig.objects.create(platform=partner, asset=eth, min_amount=D("0.01"), commission_percent=D("5"))
    fund(user, eth, "1")
    body = create(user_api, user, user=other_user.email).json()["data"]
    assert body["commission"] == {"value": "0.050000000000000000", "percent": "5"}
    assert body["total"] == "0.950000000000000000"
    assert body["externalPlatform"] == {"code": "PARTNER", "name": "Partner", "url": "https://partner.example/"}


@pytest.mark.django_db
def test_listings_scopes_filters_and_privacy(user, user_api, other_user, other_api, eth):
    third = UserFactory()
    fund(user, eth, "5")
    fund(other_user, eth, "5")
    sent = create(user_api, user, user=other_user.email).json()["data"]["id"]
    asked = create(user_api, user, action="receive", user=other_user.email).json()["data"]["id"]
    incoming = create(other_api, other_user, user=user.email).json()["data"]["id"]
    confirm(user_api, user, sent)
    fund(third, eth, "1")
    create(client_for(third), third, user=other_user.email)  # not the user's business

    def ids(path, query=""):
        response = user_api.get(f"/api/v1/user/{user.pk}/transfer{path}{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["data"]]

    assert set(ids("")) == {sent, asked, incoming}
    assert set(ids("/by")) == {sent, asked}
    assert ids("/from") == [sent]
    assert set(ids("/to")) == {asked, incoming}
    assert ids("", "?status=completed") == [sent]
    assert set(ids("", "?asset=eth")) == {sent, asked, incoming}
    assert ids("", "?asset=XBT") == []
    page = user_api.get(f"/api/v1/user/{user.pk}/transfer")
    assert set(page.json()) == {"data"}
    headers = [page[name] for name in ("X-Total", "X-Current-Page", "X-Per-Page", "X-Last-Page")]
    assert headers == ["3", "1", "25", "1"]
    assert user_api.get(f"/api/v1/user/{user.pk}/transfer?page=2").json() == {"data": []}
    bad = user_api.get(f"/api/v1/user/{user.pk}/transfer?status=lost")
    assert bad.status_code == 422 and bad.json()["errors"] == {"status": ["The selected status is invalid."]}
    assert user_api.get(f"/api/v1/user/{user.pk}/transfer?asset=NOPE").status_code == 422
    shown = user_api.get(f"/api/v1/user/{user.pk}/transfer/{sent}").json()["data"]
    assert shown["toUser"] == {"id": str(other_user.pk), "email": other_user.email}


@pytest.mark.django_db
def test_another_users_transfer_is_not_found(user, user_api, other_user, other_api, eth):
    third = UserFactory()
    fund(other_user, eth, "1")
    transfer_id = create(other_api, other_user, user=third.email).json()["data"]["id"]
    assert user_api.get(f"/api/v1/user/{user.pk}/transfer/{transfer_id}").status_code == 404
    assert confirm(user_api, user, transfer_id).status_code == 404
    assert user_api.get(f"/api/v1/user/{other_user.pk}/transfer").status_code == 409
    assert user_api.get(f"/api/v1/user/{user.pk}/transfer/not-a-uuid").status_code == 404


@pytest.mark.django_db
def test_idempotency_key_on_create_and_confirm(user, user_api, other_user, eth):
    fund(user, eth, "3")
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-1"}
    body = {"action": "send", "amount": "1", "type": "coin", "symbol": "ETH", "user": other_user.email}
    path = f"/api/v1/user/{user.pk}/transfer"
    first = user_api.post(path, body, format="json", **headers)
    second = user_api.post(path, body, format="json", **headers)
    assert first.content == second.content and second["Idempotent-Replayed"] == "true"
    assert Transfer.objects.count() == 1 and balances(user, eth) == (D("2"), D("1"))
    changed = user_api.post(path, {**body, "amount": "2"}, format="json", **headers)
    assert changed.status_code == 422 and list(changed.json()["errors"]) == ["Idempotency-Key"]
    transfer_id = first.json()["data"]["id"]
    done = confirm(user_api, user, transfer_id, HTTP_IDEMPOTENCY_KEY="confirm-1")
    replay = confirm(user_api, user, transfer_id, HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert done.status_code == replay.status_code == 200 and done.content == replay.content
    # A new key is a new request: the transfer is already completed.
    assert confirm(user_api, user, transfer_id, HTTP_IDEMPOTENCY_KEY="confirm-2").status_code == 409


@pytest.mark.django_db
def test_schema_documents_the_endpoints_and_the_header(api):
    schema = api.get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/user/{user}/transfer"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    confirm_op = schema["paths"]["/api/v1/user/{user}/transfer/{transfer}"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in confirm_op["parameters"])
    for path in ("transfer/by", "transfer/from", "transfer/to"):
        assert "get" in schema["paths"][f"/api/v1/user/{{user}}/{path}"]
