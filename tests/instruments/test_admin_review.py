import pytest
from django.core import mail

from accounts.models import Bank, Card, InstrumentStatusChange, Wallet
from notifications.models import Notification

from ..conftest import client_for, staff_login
from ..factories import UserFactory
from .conftest import ETH_ADDRESSES, IBAN_RO, card_body, make_bank, make_card, make_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    staff_login(client, staff)
    client.staff = staff
    return client


def act(staff_client, model, action, objects, **extra):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], **extra}
    return staff_client.post(f"/admin/accounts/{model}/", data, follow=True)


def test_review_queues_filter_and_search(staff_client, user, other_user):
    pending = make_bank(user)
    make_bank(other_user, iban="GB29NWBK60161331926819", swift="NWBKGB2L", status="CONFIRMED")
    queue = staff_client.get("/admin/accounts/bank/", {"status__exact": "PENDING"})
    assert queue.status_code == 200
    assert IBAN_RO in queue.content.decode() and "GB29NWBK60161331926819" not in queue.content.decode()
    by_email = staff_client.get("/admin/accounts/bank/", {"q": user.email}).content.decode()
    assert IBAN_RO in by_email and "GB29NWBK" not in by_email
    assert IBAN_RO in staff_client.get("/admin/accounts/bank/", {"q": IBAN_RO}).content.decode()
    wallet = make_wallet(user, address=ETH_ADDRESSES[0])
    assert ETH_ADDRESSES[0] in staff_client.get("/admin/accounts/wallet/", {"q": ETH_ADDRESSES[0]}).content.decode()
    assert staff_client.get("/admin/accounts/card/", {"status__exact": "PENDING", "q": "4242"}).status_code == 200
    assert staff_client.get(f"/admin/accounts/bank/{pending.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/accounts/wallet/{wallet.pk}/change/").status_code == 200
    assert staff_client.get("/admin/accounts/bank/add/").status_code == 403


def test_card_page_shows_both_images_through_the_authorised_file_view(staff_client, user, media_root):
    response = client_for(user).post(f"/api/v1/user/{user.pk}/card", card_body(), format="multipart")
    card = Card.objects.get(pk=response.json()["data"]["id"])
    page = staff_client.get(f"/admin/accounts/card/{card.pk}/change/").content.decode()
    for file_id in (card.image_front_id, card.image_holding_id):
        assert f'<img src="/files/{file_id}"' in page
        image = staff_client.get(f"/files/{file_id}")
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert card.last_four_digits in page


def test_confirm_action_records_and_notifies(staff_client, user, django_capture_on_commit_callbacks):
    bank = make_bank(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, "bank", "confirm_selected", [bank])
    assert response.status_code == 200
    bank.refresh_from_db()
    assert (bank.status, bank.reviewed_by) == ("CONFIRMED", staff_client.staff)
    change = InstrumentStatusChange.objects.get(bank=bank, to_status="CONFIRMED")
    assert (change.from_status, change.actor, change.actor_user) == ("PENDING", "Staff", staff_client.staff)
    notification = Notification.objects.get(user=user, code="bank_confirmed")
    assert notification.meta == {"id": str(bank.pk)}
    assert [message.to for message in mail.outbox] == [[user.email]]
    api = client_for(user)
    assert api.get(f"/api/v1/user/{user.pk}/bank?status=confirmed").json()["data"][0]["id"] == str(bank.pk)


def test_reject_action_asks_for_a_reason_then_records_it(staff_client, user):
    wallet = make_wallet(user, address=ETH_ADDRESSES[0])
    form = act(staff_client, "wallet", "reject_selected", [wallet])
    assert form.status_code == 200
    assert "Reason (shown to the user)" in form.content.decode()
    assert Wallet.objects.get(pk=wallet.pk).status == "PENDING"
    missing = act(staff_client, "wallet", "reject_selected", [wallet], apply="1", reason="")
    assert "This field is required." in missing.content.decode()
    assert Wallet.objects.get(pk=wallet.pk).status == "PENDING"
    done = act(staff_client, "wallet", "reject_selected", [wallet], apply="1", reason="Address belongs to a mixer")
    assert done.status_code == 200
    wallet.refresh_from_db()
    assert (wallet.status, wallet.reject_reason) == ("REJECTED", "Address belongs to a mixer")
    change = InstrumentStatusChange.objects.get(wallet=wallet, to_status="REJECTED")
    assert (change.reason, change.actor_user) == ("Address belongs to a mixer", staff_client.staff)
    notification = Notification.objects.get(user=user, code="wallet_rejected")
    assert notification.message.endswith("has been rejected: Address belongs to a mixer")
    page = staff_client.get(f"/admin/accounts/wallet/{wallet.pk}/change/").content.decode()
    assert "Address belongs to a mixer" in page  # the history inline


def test_illegal_moves_are_refused_and_change_nothing(staff_client, user):
    rejected = make_card(user, status="REJECTED")
    confirmed = make_bank(user, status="CONFIRMED")
    page = act(staff_client, "card", "confirm_selected", [rejected]).content.decode()
    assert "cannot go from REJECTED to CONFIRMED" in page
    act(staff_client, "bank", "confirm_selected", [confirmed])
    assert Card.objects.get(pk=rejected.pk).status == "REJECTED"
    assert not InstrumentStatusChange.objects.filter(card=rejected).exists()
    assert not InstrumentStatusChange.objects.filter(bank=confirmed).exists()
    assert not Notification.objects.filter(user=user).exists()
    # A confirmed instrument can still be revoked with a reason.
    act(staff_client, "bank", "reject_selected", [confirmed], apply="1", reason="Account closed by the bank")
    assert Bank.objects.get(pk=confirmed.pk).status == "REJECTED"


def test_non_staff_cannot_reach_the_queues(client, user):
    client.force_login(user)
    assert client.get("/admin/accounts/bank/").status_code == 302
