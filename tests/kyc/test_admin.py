"""The compliance back office through the admin's pages."""

from datetime import timedelta

import pytest
from django.test import Client

from kyc.models import ItemKind, ItemStatus, KycAuditEntry, KycItem, KycState, VideoCall
from kyc.services import video_schedule
from notifications.models import Notification

from ..conftest import staff_login
from .conftest import image, path

pytestmark = pytest.mark.django_db


def staff_client(staff):
    return staff_login(Client(), staff)


@pytest.fixture
def pending_passport(user, user_api):
    user_api.post(path(user, "/document"), {"type": "passport", "file": image()}, format="multipart")
    return KycItem.objects.get(user=user, kind=ItemKind.PASSPORT)


def test_queue_and_review_page(officer, pending_passport, user):
    client = staff_client(officer)
    queue = client.get("/admin/kyc/kycreview/")
    assert queue.status_code == 200 and user.email in queue.content.decode()
    page = client.get(f"/admin/kyc/kycreview/{user.pk}/change/")
    assert page.status_code == 200
    assert f"/files/{pending_passport.file_id}" in page.content.decode()
    assert client.get(f"/files/{pending_passport.file_id}").status_code == 200
    assert client.get("/admin/kyc/kycreview/?q=" + user.email).status_code == 200


def test_officer_accepts_a_document(officer, pending_passport, user):
    client = staff_client(officer)
    url = f"/admin/kyc/kycitem/{pending_passport.pk}/change/"
    assert "decision" in client.get(url).content.decode()
    response = client.post(url, {"decision": "accept"})
    assert response.status_code == 302
    pending_passport.refresh_from_db()
    assert pending_passport.status == ItemStatus.ACCEPTED and pending_passport.decided_by == officer
    entry = KycAuditEntry.objects.filter(item=pending_passport, action="accepted").get()
    assert entry.actor == officer and entry.before["status"] == "PENDING" and entry.after["status"] == "ACCEPTED"
    assert Notification.objects.filter(user=user, code="kyc_accepted").exists()
    assert KycState.objects.get(user=user).level == 0


def test_officer_rejects_personal_data_per_field(officer, user, user_api):
    body = {"firstName": "Ana", "lastName": "Pop", "dateOfBirth": "1990-01-01"}
    user_api.post(path(user, "/personal-data"), body, format="json")
    item = KycItem.objects.get(user=user, kind=ItemKind.PERSONAL)
    client = staff_client(officer)
    url = f"/admin/kyc/kycitem/{item.pk}/change/"
    response = client.post(url, {"decision": "reject"})
    assert response.status_code == 200 and "needs a reason" in response.content.decode()
    response = client.post(url, {"decision": "reject", "reason_lastName": "incomplete_data"})
    assert response.status_code == 302
    personal = user_api.get(path(user)).json()["data"]["personal"]
    assert personal["status"] == "NOT COMPLETED"
    assert personal["rejectReason"] == {"lastName": {"code": "incomplete_data", "message": "Incomplete data."}}
    rejected = Notification.objects.get(user=user, code="kyc_rejected")
    assert "Incomplete data." in rejected.message
    # a decided item cannot be decided again
    assert "Only items awaiting review" in client.post(url, {"decision": "accept"}).content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.REJECTED


def test_support_reads_but_cannot_decide(support, pending_passport, user):
    client = staff_client(support)
    assert client.get("/admin/kyc/kycreview/").status_code == 200
    page = client.get(f"/admin/kyc/kycitem/{pending_passport.pk}/change/")
    assert page.status_code == 200 and 'name="decision"' not in page.content.decode()
    assert client.post(f"/admin/kyc/kycitem/{pending_passport.pk}/change/", {"decision": "accept"}).status_code == 403
    pending_passport.refresh_from_db()
    assert pending_passport.status == ItemStatus.PENDING


def test_audit_trail_cannot_be_edited(admin_client, officer, pending_passport):
    staff_client(officer).post(f"/admin/kyc/kycitem/{pending_passport.pk}/change/", {"decision": "accept"})
    entry = KycAuditEntry.objects.filter(action="accepted").first()
    assert admin_client.get("/admin/kyc/kycauditentry/").status_code == 200
    assert admin_client.post(f"/admin/kyc/kycauditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    assert admin_client.post(f"/admin/kyc/kycauditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/kyc/kycauditentry/add/").status_code == 403
    assert KycAuditEntry.objects.filter(pk=entry.pk, action="accepted").exists()


def test_video_call_marked_done(officer, availability, user):
    call = video_schedule(user=user, when=availability.starts_at + timedelta(hours=2))
    client = staff_client(officer)
    listing = client.get("/admin/kyc/videocall/")
    assert listing.status_code == 200 and user.email in listing.content.decode()
    response = client.post(
        f"/admin/kyc/videocall/{call.pk}/change/", {"outcome": "passed", "notes": "ok", "reason": ""}
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == VideoCall.Status.DONE
    assert KycItem.objects.get(user=user, kind=ItemKind.VIDEO).status == ItemStatus.ACCEPTED


def test_officer_manages_availability(officer):
    client = staff_client(officer)
    assert client.get("/admin/kyc/staffavailability/add/").status_code == 200
