"""The portal pages behind the KYC signed links, and the signed-in user's wizard."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from kyc.links import link_build
from kyc.models import ItemKind, ItemStatus, KycItem, VideoCall
from kyc.selectors import video_slots_available

from .conftest import accept, image, pdf, reach_level, set_item

pytestmark = pytest.mark.django_db


def link_path(user, page):
    parts = urlsplit(link_build(user=user, page=page))
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def level1(user):
    reach_level(user, 1)
    return user


def test_a_tampered_or_foreign_link_is_refused(level1, other_user):
    url = link_path(level1, "address")
    client = Client()
    assert client.get(url).status_code == 200
    assert client.get(url.replace("signature=", "signature=0")).status_code == 403
    other_page = url.replace("/kyc/address/", "/kyc/documents/")
    response = client.get(other_page)
    assert response.status_code == 403 and "invalid or has expired" in response.content.decode()
    assert client.post(other_page, {"country": "RO"}).status_code == 403
    assert client.get("/kyc/unknown/abc").status_code == 404


def test_expired_link_is_refused(level1, settings):
    settings.KYC_LINK_TTL_SECONDS = -1
    assert Client().get(link_path(level1, "address")).status_code == 403


def test_address_page_submits_through_the_service(level1):
    url = link_path(level1, "address")
    client = Client()
    response = client.post(url, {"country": "ro", "city": "Cluj", "zip": "400001", "street": "Str. Mare 1"})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "Your address was sent for review." in page and "PENDING" in page
    level1.refresh_from_db()
    assert (level1.country, level1.city) == ("RO", "Cluj")
    assert KycItem.objects.get(user=level1, kind=ItemKind.ADDRESS).status == ItemStatus.PENDING


def test_address_page_shows_validation_errors_and_changes_nothing(level1):
    url = link_path(level1, "address")
    response = Client().post(url, {"country": "XX", "city": "Cluj", "zip": "1", "street": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "The selected country is invalid." in page and "The zip must be between 4 and 10 characters." in page
    assert not KycItem.objects.filter(user=level1, kind=ItemKind.ADDRESS).exists()


def test_address_page_refuses_an_accepted_step_with_the_references_message(level1):
    accept(level1, ItemKind.PERSONAL, ItemKind.ADDRESS)
    url = link_path(level1, "address")
    response = Client().post(url, {"country": "RO", "city": "Iasi", "zip": "700001", "street": "Str. Noua 2"})
    assert response.status_code == 423
    level1.refresh_from_db()
    assert level1.city != "Iasi"


def test_document_upload_by_form_and_by_script(level1):
    accept(level1, ItemKind.PERSONAL, ItemKind.ADDRESS)
    url = link_path(level1, "documents")
    client = Client()
    page = client.get(url).content.decode()
    assert 'value="passport"' in page and "data-upload-progress" in page
    response = client.post(url, {"type": "passport", "file": image()})
    assert response.status_code == 302
    assert KycItem.objects.get(user=level1, kind=ItemKind.PASSPORT).status == ItemStatus.PENDING
    response = client.post(url, {"type": "utilityBill", "file": pdf()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["redirect"] == url
    response = client.post(
        url, {"type": "selfieWithId", "file": image(data=b"not an image")}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 422 and "file" in response.json()["errors"]


def test_document_rejection_reason_is_shown(level1):
    accept(level1, ItemKind.PERSONAL, ItemKind.ADDRESS)
    set_item(level1, ItemKind.PASSPORT, ItemStatus.REJECTED, reasons={"file": "blurred"})
    page = Client().get(link_path(level1, "documents")).content.decode()
    assert 'data-testid="reject-reason"' in page


@pytest.fixture
def level2(user):
    reach_level(user, 2)
    return user


def test_video_book_reschedule_and_cancel(level2, availability):
    slots = video_slots_available()
    assert slots and slots[0] == availability.starts_at
    client = Client()
    url = link_path(level2, "video")
    assert slots[0].strftime("%Y-%m-%d %H:%M:%S") in client.get(url).content.decode()
    response = client.post(url, {"date": slots[0].strftime("%Y-%m-%d %H:%M:%S")})
    assert response.status_code == 302
    call = VideoCall.objects.get(user=level2, status="scheduled")
    assert call.scheduled_at == slots[0]
    assert slots[0] not in video_slots_available()  # the staff member is busy then
    reschedule = link_path(level2, "video_reschedule")
    assert client.post(reschedule, {"date": slots[3].strftime("%Y-%m-%d %H:%M:%S")}).status_code == 302
    assert VideoCall.objects.get(user=level2, status="scheduled").scheduled_at == slots[3]
    cancel = link_path(level2, "video_cancel")
    page = client.get(cancel).content.decode()
    assert 'data-testid="cancel-call"' in page and 'data-testid="slots"' not in page
    assert client.post(cancel, {"action": "cancel"}).status_code == 302
    assert not VideoCall.objects.filter(user=level2, status="scheduled").exists()
    assert KycItem.objects.get(user=level2, kind=ItemKind.VIDEO).status == ItemStatus.NOT_COMPLETED


def test_video_without_staff_is_421(level2):
    response = Client().post(link_path(level2, "video"), {"date": "2999-01-01 10:00:00"})
    assert response.status_code == 421 and 'data-testid="no-slots"' in response.content.decode()


def test_edd_page(user):
    reach_level(user, 3)
    url = link_path(user, "enhancedDueDiligence")
    answers = {
        "transactionsPurpose": "investments",
        "transactionsNatureValue": "2",
        "transactionsNatureFrequency": "1",
        "fundsSource": "bank_account",
        "fundsOrigin": "payroll_funds",
    }
    response = Client().post(url, {**answers, "fundsSourceFile": image(), "fundsOriginFile": image()})
    assert response.status_code == 302
    item = KycItem.objects.get(user=user, kind=ItemKind.EDD)
    assert item.status == ItemStatus.PENDING and item.data["transactionsNatureValue"] == 2
    response = Client().post(url, {**answers, "fundsSource": "other"})
    assert response.status_code == 422 and "fundsSourceOther" in response.content.decode()


def test_wizard_needs_a_session_and_shows_each_step(user, client):
    assert client.get("/kyc").status_code == 302
    reach_level(user, 1)
    accept(user, ItemKind.PERSONAL)
    set_item(user, ItemKind.ADDRESS, ItemStatus.REJECTED, reasons={"street": "incorrect_data"})
    client.force_login(user)
    page = client.get("/kyc").content.decode()
    assert 'data-testid="status-phone">ACCEPTED' in page
    assert 'data-testid="status-personal">ACCEPTED' in page
    assert 'data-testid="status-address">REJECTED' in page
    assert 'data-testid="reason-address">street:' in page
    assert 'data-testid="link-address"' in page and 'data-testid="link-personal"' not in page
