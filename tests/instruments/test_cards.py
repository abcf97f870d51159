import io

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import Card, InstrumentStatusChange
from ccpro.uploads.models import StoredFile

from ..conftest import client_for
from ..factories import UserFactory
from .conftest import card_body, image_upload, make_card, png_bytes, stored_files_on_disk

pytestmark = pytest.mark.django_db


def url(user, card=None):
    base = f"/api/v1/user/{user.pk}/card"
    return f"{base}/{card}" if card else base


def post(client, path, body):
    return client.post(path, body, format="multipart")


def test_create_card_with_two_private_images(user, user_api, other_user, media_root):
    response = post(user_api, url(user), card_body())
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert set(data) == {
        "id",
        "status",
        "alias",
        "holderName",
        "expirationDate",
        "lastFourDigits",
        "cardImage1",
        "cardImage2",
        "createdAt",
    }
    assert data["status"] == "PENDING"
    assert (data["alias"], data["holderName"], data["expirationDate"], data["lastFourDigits"]) == (
        "MyFavoriteCard",
        "Ana Pop",
        "12/39",
        "4242",
    )
    assert isinstance(data["cardImage1"], str) and isinstance(data["cardImage2"], str)
    front = StoredFile.objects.get(pk=int(data["cardImage1"]))
    holding = StoredFile.objects.get(pk=int(data["cardImage2"]))
    assert front.owner == holding.owner == user
    assert (front.purpose, holding.purpose) == ("card_front", "card_holding")
    assert len(stored_files_on_disk(media_root)) == 2
    # The images are viewable by the owner only (and staff), through /files/<id>.
    assert user_api.get(f"/files/{data['cardImage1']}").status_code == 200
    assert client_for(other_user).get(f"/files/{data['cardImage1']}").status_code == 404
    card = Card.objects.get(pk=data["id"])
    assert InstrumentStatusChange.objects.filter(card=card, to_status="PENDING", actor="User").count() == 1


def test_no_card_number_is_stored(user, user_api, media_root):
    body = card_body(cardNumber="4111111111111111", number="4111111111111111")
    response = post(user_api, url(user), body)
    assert response.status_code == 201
    card = Card.objects.get(pk=response.json()["data"]["id"])
    stored = [str(getattr(card, field.attname)) for field in Card._meta.fields]
    assert not any("4111111111111111" in value for value in stored)


THIS_MONTH = timezone.now().strftime("%m/%y")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lastFourDigits": None}, "lastFourDigits", "The last four digits field is required."),
        ({"lastFourDigits": "123"}, "lastFourDigits", "The last four digits must be 4 digits."),
        ({"lastFourDigits": "12345"}, "lastFourDigits", "The last four digits must be 4 digits."),
        ({"lastFourDigits": "12a4"}, "lastFourDigits", "The last four digits must be 4 digits."),
        ({"alias": None}, "alias", "The alias field is required."),
        ({"alias": "my card"}, "alias", "The alias may only contain letters, numbers, dashes and underscores."),
        ({"alias": "a" * 192}, "alias", "The alias may not be greater than 191 characters."),
        ({"alias": "4111111111111111"}, "alias", "The alias must not contain a card number."),
        ({"holderName": None}, "holderName", "The holder name field is required."),
        ({"holderName": "x" * 192}, "holderName", "The holder name may not be greater than 191 characters."),
        ({"holderName": "Ana 4111 1111 1111 1111"}, "holderName", "The holder name must not contain a card number."),
        ({"expirationDate": None}, "expirationDate", "The expiration date field is required."),
        ({"expirationDate": "13/30"}, "expirationDate", "The expiration date does not match the format m/y."),
        ({"expirationDate": "1/30"}, "expirationDate", "The expiration date does not match the format m/y."),
        ({"expirationDate": "2030-01"}, "expirationDate", "The expiration date does not match the format m/y."),
        (
            {"expirationDate": "01/20"},
            "expirationDate",
            "The expiration date must be a date after or equal to today.",
        ),
        ({"cardImage1": None}, "cardImage1", "The card image1 field is required."),
        ({"cardImage2": None}, "cardImage2", "The card image2 field is required."),
        ({"cardImage1": "File"}, "cardImage1", "The card image1 must be a file."),
    ],
)
def test_create_validation(user, user_api, media_root, changes, field, message):
    response = post(user_api, url(user), card_body(**changes))
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {field: [message]}}
    assert not Card.objects.exists() and not StoredFile.objects.exists()
    assert stored_files_on_disk(media_root) == []


def test_card_expiring_this_month_is_accepted(user, user_api, media_root):
    assert post(user_api, url(user), card_body(expirationDate=THIS_MONTH)).status_code == 201


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000), color=1).save(buffer, format="PNG")  # 100 Mpx in a few kB
    return buffer.getvalue()


def _big_png(size: int) -> bytes:
    data = png_bytes()
    return data + b"\0" * (size - len(data))  # trailing zero padding is tolerated; only the size is wrong


TYPES = "The card image1 must be a file of type: jpg, jpeg, bmp, png."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.png", _bomb(), TYPES),
        ("polyglot.png", png_bytes() + b"<html><script>alert(document.cookie)</script></html>", TYPES),
        ("document.png", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", TYPES),
        ("big.png", _big_png(10_240 * 1024 + 1), "The card image1 may not be greater than 10240 kilobytes."),
        ("empty.png", b"", TYPES),
    ],
    ids=["decompression-bomb", "png-with-html", "pdf-renamed-png", "10240kb-plus-one", "empty"],
)
def test_upload_corpus_refused_and_nothing_stored(user, user_api, media_root, name, data, message):
    response = post(user_api, url(user), card_body(cardImage1=image_upload(name, data)))
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {"cardImage1": [message]}}
    assert not Card.objects.exists() and not StoredFile.objects.exists()
    assert stored_files_on_disk(media_root) == []


def test_exactly_10240kb_is_accepted(user, user_api, media_root):
    response = post(user_api, url(user), card_body(cardImage1=image_upload("big.png", _big_png(10_240 * 1024))))
    assert response.status_code == 201


def test_both_bad_images_reported_together(user, user_api, media_root):
    body = card_body(cardImage1=image_upload("a.png", b"nope"), cardImage2=image_upload("b.png", b"nope"))
    response = post(user_api, url(user), body)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"cardImage1", "cardImage2"}
    assert stored_files_on_disk(media_root) == []


def test_jpeg_and_bmp_accepted(user, user_api, media_root):
    def encoded(fmt):
        buffer = io.BytesIO()
        Image.new("RGB", (30, 20), (1, 2, 3)).save(buffer, format=fmt)
        return buffer.getvalue()

    body = card_body(
        cardImage1=image_upload("a.jpeg", encoded("JPEG"), "image/jpeg"),
        cardImage2=image_upload("b.bmp", encoded("BMP"), "image/bmp"),
    )
    data = post(user_api, url(user), body).json()["data"]
    types = {StoredFile.objects.get(pk=int(data[key])).content_type for key in ("cardImage1", "cardImage2")}
    assert types == {"image/jpeg", "image/bmp"}


def test_list_filter_show_and_scoping(user, user_api, other_user):
    confirmed = make_card(user, status="CONFIRMED")
    pending = make_card(user)
    theirs = make_card(other_user)
    listed = user_api.get(url(user)).json()["data"]
    assert {item["id"] for item in listed} == {str(confirmed.pk), str(pending.pk)}
    assert [item["id"] for item in user_api.get(url(user) + "?status=confirmed").json()["data"]] == [str(confirmed.pk)]
    shown = user_api.get(url(user, confirmed.pk)).json()["data"]
    assert shown["cardImage1"] == str(confirmed.image_front_id)
    assert shown["expirationDate"] == "12/39"
    for response in (
        user_api.get(url(user, theirs.pk)),
        post(user_api, url(user, theirs.pk), card_body()),
        user_api.delete(url(user, theirs.pk)),
        user_api.get(url(user, "123")),
    ):
        assert response.status_code == 404
        assert response.json() == {"message": "No query results."}
    assert user_api.get(url(other_user, theirs.pk)).status_code == 409
    assert Card.objects.get(pk=theirs.pk).deleted_at is None


def test_update_replaces_data_and_images_and_returns_to_pending(user, user_api, media_root):
    card = make_card(user, status="CONFIRMED")
    old_front = card.image_front_id
    body = card_body(alias="Renamed", lastFourDigits="1111", expirationDate="01/40", holderName="Ana Maria Pop")
    response = post(user_api, url(user, card.pk), body)
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert (data["id"], data["status"], data["alias"], data["lastFourDigits"], data["expirationDate"]) == (
        str(card.pk),
        "PENDING",
        "Renamed",
        "1111",
        "01/40",
    )
    assert data["cardImage1"] != str(old_front)
    assert StoredFile.objects.filter(pk=old_front).exists()  # what staff reviewed before is kept
    change = InstrumentStatusChange.objects.filter(card=card).latest("created_at")
    assert (change.from_status, change.to_status, change.actor) == ("CONFIRMED", "PENDING", "User")


def test_update_validation_changes_nothing(user, user_api, media_root):
    card = make_card(user, status="CONFIRMED")
    response = post(user_api, url(user, card.pk), card_body(alias=None))
    assert response.status_code == 422
    assert response.json()["errors"] == {"alias": ["The alias field is required."]}
    refreshed = Card.objects.get(pk=card.pk)
    assert (refreshed.alias, refreshed.status) == ("card", "CONFIRMED")
    response = post(user_api, url(user, card.pk), card_body(cardImage2=image_upload("x.png", b"GIF89a")))
    assert response.status_code == 422
    assert Card.objects.get(pk=card.pk).image_holding_id == card.image_holding_id
    assert stored_files_on_disk(media_root) == []


def test_delete(user, user_api):
    card = make_card(user)
    response = user_api.delete(url(user, card.pk))
    assert response.status_code == 200
    assert response.json() == {"message": "This card has been successfully deleted."}
    assert user_api.get(url(user, card.pk)).status_code == 404
    assert Card.objects.get(pk=card.pk).deleted_at is not None


def test_delete_of_a_used_card_is_refused(user, user_api, used_instruments):
    card = make_card(user, status="CONFIRMED")
    used_instruments.add(card.pk)
    response = user_api.delete(url(user, card.pk))
    assert response.status_code == 403
    assert response.json() == {"message": "This card has been already used in previous actions."}
    assert Card.objects.get(pk=card.pk).deleted_at is None


def test_inactive_account(media_root):
    inactive = UserFactory(is_active=False)
    client = client_for(inactive)
    for response in (client.get(url(inactive)), post(client, url(inactive), card_body())):
        assert response.status_code == 403
        assert response.json() == {"message": "Your account is inactive."}
    assert not StoredFile.objects.exists()
