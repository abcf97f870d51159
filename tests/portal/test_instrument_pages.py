"""Wallets, bank accounts and cards pages over HTTP: the API's rules and messages, the same services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import instruments
from accounts.models import Bank, Card, InstrumentStatus, Wallet
from accounts.selectors import instrument_usage_check_register, instrument_usage_check_unregister
from tests.factories import UserFactory
from tests.instruments.conftest import BIC_RO, ETH_ADDRESSES, IBAN_RO, png_bytes
from trading.selectors import asset_get

from .conftest import csrf_post, signed_in

pytestmark = pytest.mark.django_db


def _png(name):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def test_pages_need_a_session(web):
    for path in ("/wallets", "/banks", "/cards"):
        response = web.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login?next=")


def test_add_a_wallet_and_see_it_listed_in_review(web, user):
    signed_in(web, user)
    response = csrf_post(web, "/wallets", {"coin": "ETH", "address": ETH_ADDRESSES[0].lower(), "alias": "ledger"})
    assert response.status_code == 302 and response["Location"] == "/wallets"
    wallet = Wallet.objects.get(user=user)
    assert wallet.address == ETH_ADDRESSES[0]  # normalised by the API's rule (EIP-55)
    page = web.get("/wallets").content.decode()
    assert "Wallet ledger added." in page and ETH_ADDRESSES[0] in page and "In review" in page


def test_wallet_form_shows_the_api_messages_next_to_the_fields(web, user):
    signed_in(web, user)
    response = csrf_post(web, "/wallets", {"coin": "ETH", "address": "0x123", "alias": "bad alias!"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "The alias may only contain letters, numbers, dashes and underscores." in page
    response = csrf_post(web, "/wallets", {"coin": "", "address": "", "alias": ""})
    page = response.content.decode()
    assert "The coin field is required." in page and "The address field is required." in page
    assert not Wallet.objects.exists()


def test_wallet_address_taken_is_refused_by_the_service(web, user, other_user):
    instruments.wallet_create(user=other_user, asset=asset_get("ETH"), address=ETH_ADDRESSES[1], alias="theirs")
    signed_in(web, user)
    response = csrf_post(web, "/wallets", {"coin": "ETH", "address": ETH_ADDRESSES[1], "alias": "mine"})
    assert response.status_code == 422
    assert "The address has already been taken." in response.content.decode()


def test_rename_a_wallet_and_refusals(web, user):
    wallet = instruments.wallet_create(user=user, asset=asset_get("ETH"), address=ETH_ADDRESSES[2], alias="old")
    instruments.wallet_create(user=user, asset=asset_get("ETH"), address=ETH_ADDRESSES[3], alias="other")
    signed_in(web, user)
    response = csrf_post(web, f"/wallets/{wallet.pk}/rename", {"alias": "new-name"})
    assert response.status_code == 302
    assert Wallet.objects.get(pk=wallet.pk).alias == "new-name"
    response = csrf_post(web, f"/wallets/{wallet.pk}/rename", {"alias": "other"})
    assert response.status_code == 422 and "The alias has already been taken." in response.content.decode()


def test_another_users_wallet_bank_or_card_is_not_found(web, user, other_user):
    wallet = instruments.wallet_create(user=other_user, asset=asset_get("ETH"), address=ETH_ADDRESSES[0], alias="x")
    bank = instruments.bank_create(user=other_user, bank_name="B", iban=IBAN_RO, swift=BIC_RO, currency="RON")
    signed_in(web, user)
    assert csrf_post(web, f"/wallets/{wallet.pk}/rename", {"alias": "mine"}).status_code == 404
    assert csrf_post(web, f"/banks/{bank.pk}/delete").status_code == 404
    assert csrf_post(web, "/cards/00000000-0000-0000-0000-000000000000/delete").status_code == 404
    assert Wallet.objects.get(pk=wallet.pk).alias == "x" and Bank.objects.get(pk=bank.pk).deleted_at is None


def test_add_and_delete_a_bank_with_the_rejection_reason_shown(web, user):
    signed_in(web, user)
    response = csrf_post(
        web, "/banks", {"bank_name": "ING", "iban": "ro49 aaaa 1b31 0075 9384 0000", "swift": BIC_RO, "currency": "ron"}
    )
    assert response.status_code == 302
    bank = Bank.objects.get(user=user)
    assert (bank.iban, bank.currency) == (IBAN_RO, "RON")
    staff = UserFactory(is_staff=True)
    instruments.instrument_reject(instrument=bank, staff=staff, reason="The account holder is not you.")
    page = web.get("/banks").content.decode()
    assert "Rejected" in page and "The account holder is not you." in page

    response = csrf_post(web, f"/banks/{bank.pk}/delete")
    assert response.status_code == 302
    assert Bank.objects.get(pk=bank.pk).deleted_at is not None
    assert "The bank account has been deleted." in web.get("/banks").content.decode()


def test_bank_swift_must_match_the_iban_country(web, user):
    signed_in(web, user)
    response = csrf_post(web, "/banks", {"bank_name": "X", "iban": IBAN_RO, "swift": "COBADEFFXXX", "currency": "EUR"})
    assert response.status_code == 422
    assert "The swift does not match the country of the iban." in response.content.decode()


def test_a_bank_used_by_an_order_cannot_be_deleted(web, user):
    bank = instruments.bank_create(user=user, bank_name="B", iban=IBAN_RO, swift=BIC_RO, currency="RON")

    def used(instrument):
        return instrument.pk == bank.pk

    instrument_usage_check_register(used)
    try:
        signed_in(web, user)
        csrf_post(web, f"/banks/{bank.pk}/delete")
        page = web.get("/banks").content.decode()
    finally:
        instrument_usage_check_unregister(used)
    assert Bank.objects.get(pk=bank.pk).deleted_at is None
    assert "alert--error" in page


def test_add_a_card_with_two_images_then_delete_it(web, user):
    signed_in(web, user)
    data = {
        "alias": "visa-work",
        "holder_name": "Ana Popescu",
        "expiration": "12/39",
        "last_four_digits": "4242",
        "image_front": _png("front.png"),
        "image_holding": _png("holding.png"),
    }
    response = csrf_post(web, "/cards", data)
    assert response.status_code == 302
    card = Card.objects.get(user=user)
    assert (card.status, card.expiration_month, card.expiration_year) == (InstrumentStatus.PENDING, 12, 2039)
    page = web.get("/cards").content.decode()
    assert f"/files/{card.image_front_id}" in page and f"/files/{card.image_holding_id}" in page
    assert web.get(f"/files/{card.image_front_id}").status_code == 200  # the owner's session sees the image

    assert csrf_post(web, f"/cards/{card.pk}/delete").status_code == 302
    assert Card.objects.get(pk=card.pk).deleted_at is not None


def test_card_refusals_are_the_apis(web, user):
    signed_in(web, user)
    data = {
        "alias": "x",
        "holder_name": "4242 4242 4242 4242",
        "expiration": "13/30",
        "last_four_digits": "42",
        "image_front": SimpleUploadedFile("front.png", b"not an image", content_type="image/png"),
    }
    response = csrf_post(web, "/cards", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The holder name must not contain a card number." in page
    assert "The last four digits must be 4 digits." in page
    assert "The card image2 field is required." in page
    assert not Card.objects.exists()


def _card_data(**changes):
    return {
        "alias": "visa-new",
        "holder_name": "Ana Maria Popescu",
        "expiration": "03/41",
        "last_four_digits": "1881",
        "image_front": _png("front2.png"),
        "image_holding": _png("holding2.png"),
        **changes,
    }


def test_replace_a_rejected_card_sends_it_back_to_review(web, user, user_api):
    from tests.instruments.conftest import make_card

    card = make_card(user, alias="visa-old", status=InstrumentStatus.REJECTED, reject_reason="The photo is blurred.")
    old_images = (card.image_front_id, card.image_holding_id)
    signed_in(web, user)
    listing = web.get("/cards").content.decode()
    assert f'href="/cards/{card.pk}/replace"' in listing and "The photo is blurred." in listing
    page = web.get(f"/cards/{card.pk}/replace").content.decode()
    # The form starts from the card's current details; the photos must be sent again (the API's rule).
    assert 'value="visa-old"' in page and 'value="12/39"' in page and 'value="4242"' in page
    assert f"/files/{card.image_front_id}" in page and "The photo is blurred." in page

    response = csrf_post(web, f"/cards/{card.pk}/replace", _card_data())
    assert response.status_code == 302 and response["Location"] == "/cards"
    card.refresh_from_db()
    assert (card.alias, card.holder_name, card.last_four_digits) == ("visa-new", "Ana Maria Popescu", "1881")
    assert (card.expiration_month, card.expiration_year, card.status) == (3, 2041, InstrumentStatus.PENDING)
    assert (card.image_front_id, card.image_holding_id) != old_images
    assert Card.objects.filter(user=user).count() == 1  # replaced, not added
    page = web.get("/cards").content.decode()
    assert "Card visa-new replaced." in page and "In review" in page
    # What the API shows of it is what the page sent.
    body = user_api.get(f"/api/v1/user/{user.pk}/card/{card.pk}").json()["data"]
    shown = (body["alias"], body["expirationDate"], body["cardImage1"])
    assert shown == ("visa-new", "03/41", str(card.image_front_id))


def test_replace_refusals_are_the_apis_and_change_nothing(web, user):
    from tests.instruments.conftest import make_card

    card = make_card(user, alias="visa-old", status=InstrumentStatus.CONFIRMED)
    signed_in(web, user)
    response = csrf_post(
        web, f"/cards/{card.pk}/replace", _card_data(last_four_digits="12", expiration="13/30", image_holding="")
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The last four digits must be 4 digits." in page
    assert "The card image2 field is required." in page
    bad_image = _card_data(image_front=SimpleUploadedFile("f.png", b"not an image", content_type="image/png"))
    assert csrf_post(web, f"/cards/{card.pk}/replace", bad_image).status_code == 422
    card.refresh_from_db()
    assert (card.alias, card.last_four_digits, card.status) == ("visa-old", "4242", InstrumentStatus.CONFIRMED)


def test_replace_only_the_owners_card_with_csrf(web, user, other_user):
    from tests.instruments.conftest import make_card

    theirs = make_card(other_user, alias="theirs")
    mine = make_card(user, alias="mine")
    signed_in(web, user)
    assert web.get(f"/cards/{theirs.pk}/replace").status_code == 404
    assert csrf_post(web, f"/cards/{theirs.pk}/replace", _card_data()).status_code == 404
    assert web.post(f"/cards/{mine.pk}/replace", _card_data()).status_code == 403  # no CSRF token
    instruments.card_delete(user=user, card_id=mine.pk)
    assert web.get(f"/cards/{mine.pk}/replace").status_code == 404  # a deleted card is gone
    assert Card.objects.get(pk=theirs.pk).alias == "theirs"
