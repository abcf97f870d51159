"""The KYC endpoints through HTTP."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kyc.models import ItemKind, ItemStatus, KycAuditEntry, KycItem, KycSubmission, PhoneVerification, VideoCall
from notifications.sms.backends import locmem as sms_outbox

from .conftest import accept, image, path, pdf, reach_level, set_item

pytestmark = pytest.mark.django_db


def status_of(user, kind):
    return KycItem.objects.get(user=user, kind=kind).status


# --- GET kyc -----------------------------------------------------------------------------------------


def test_show_new_user(user, user_api):
    response = user_api.get(path(user))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["level"] == 0 and data["required"] == "phone"
    assert data["personal"] == {
        "required": False,
        "status": "NOT COMPLETED",
        "firstName": "Ana",
        "lastName": "Pop",
        "dateOfBirth": 642902400,
    }
    assert data["documents"]["passport"] == {"status": "NOT COMPLETED", "url": None}
    assert data["video"]["status"] is None and data["enhancedDueDiligence"]["status"] is None
    for step in ("address", "documents", "video", "enhancedDueDiligence"):
        assert data["links"][step].startswith("http://testserver/kyc/") or "/kyc/" in data["links"][step]


def test_show_rejections_with_reasons(user, user_api):
    set_item(user, ItemKind.PERSONAL, ItemStatus.REJECTED, reasons={"firstName": "incorrect_data"})
    set_item(user, ItemKind.GOVERNMENT_ID_FRONT, ItemStatus.REJECTED, reasons={"file": "color_photo"})
    data = user_api.get(path(user)).json()["data"]
    assert data["personal"]["status"] == "NOT COMPLETED"
    assert data["personal"]["rejectReason"] == {
        "firstName": {
            "code": "incorrect_data",
            "message": "Incorrect data (it does not correspond to the document data).",
        }
    }
    assert data["documents"]["governmentIdFront"]["rejectReason"]["code"] == "color_photo"


def test_other_users_kyc_is_refused(user, other_api):
    assert other_api.get(path(user)).status_code == 409
    assert other_api.post(path(user, "/personal-data"), {}, format="json").status_code == 409


def test_anonymous_is_401(api, user):
    assert api.get(path(user)).json() == {"error": "Unauthenticated."}


def test_profile_carries_the_same_kyc(user, user_api):
    reach_level(user, 1)
    kyc = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]["kyc"]
    assert kyc["level"] == 1 and kyc["phone"]["isVerified"] is True
    assert "eddData" in kyc["enhancedDueDiligence"] and "tempFiles" in kyc["documents"]


# --- personal data and address ------------------------------------------------------------------


def test_personal_data(user, user_api):
    body = {"firstName": "Maria Elena", "lastName": "Ionescu", "dateOfBirth": "1991-02-03"}
    response = user_api.post(path(user, "/personal-data"), body, format="json")
    assert response.status_code == 201 and response.content == b"null"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, str(user.date_of_birth)) == ("Maria Elena", "Ionescu", "1991-02-03")
    assert status_of(user, ItemKind.PERSONAL) == ItemStatus.PENDING
    assert KycSubmission.objects.filter(item__user=user).count() == 1
    assert KycAuditEntry.objects.filter(user=user, action="submitted").exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"lastName": "Pop", "dateOfBirth": "1990-01-01"}, "firstName", "The first name field is required."),
        ({"firstName": "A1", "lastName": "Pop", "dateOfBirth": "1990-01-01"}, "firstName", "may only contain"),
        ({"firstName": "Ana", "lastName": "Pop", "dateOfBirth": "01/01/1990"}, "dateOfBirth", "format Y-m-d"),
        ({"firstName": "Ana", "lastName": "Pop", "dateOfBirth": str(timezone.now().date())}, "dateOfBirth", "before"),
    ],
)
def test_personal_data_invalid(user, user_api, body, field, message):
    response = user_api.post(path(user, "/personal-data"), body, format="json")
    assert response.status_code == 422
    assert message in response.json()["errors"][field][0]
    assert not KycItem.objects.filter(user=user).exists()


def test_accepted_personal_data_cannot_be_overwritten(user, user_api):
    accept(user, ItemKind.PERSONAL)
    body = {"firstName": "Other", "lastName": "Name", "dateOfBirth": "1980-01-01"}
    response = user_api.post(path(user, "/personal-data"), body, format="json")
    assert response.status_code == 423
    assert response.json() == {"message": "The KYC Personal Data is not required at this point for current user."}
    user.refresh_from_db()
    assert user.first_name == "Ana"


def test_address_with_pdf_bill(user, user_api):
    body = {"country": "ro", "city": "Pitesti", "zip": "110001", "street": "Str. Mare 1", "utilityBill": pdf()}
    response = user_api.post(path(user, "/address"), body, format="multipart")
    assert response.status_code == 200 and response.content == b"null"
    user.refresh_from_db()
    assert (user.country, user.zip_code) == ("RO", "110001")
    assert status_of(user, ItemKind.UTILITY_BILL) == ItemStatus.PENDING


def test_address_invalid_and_locked(user, user_api):
    response = user_api.post(path(user, "/address"), {"city": "X", "zip": "1", "street": "s"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"]["country"] == ["The country field is required."]
    accept(user, ItemKind.ADDRESS)
    body = {"country": "RO", "city": "Pitesti", "zip": "110001", "street": "Str. Mare 1"}
    response = user_api.post(path(user, "/address"), body, format="json")
    assert response.status_code == 423
    assert response.json() == {"message": "The KYC Address is not required at this point for current user."}


# --- documents ----------------------------------------------------------------------------------


def test_document_upload(user, user_api):
    response = user_api.post(path(user, "/document"), {"type": "passport", "file": image()}, format="multipart")
    assert response.status_code == 200
    passport = response.json()["data"]["documents"]["passport"]
    assert passport["status"] == "PENDING" and re.search(r"/files/\d+$", passport["url"])
    file_id = passport["url"].rsplit("/", 1)[1]
    assert user_api.get(f"/files/{file_id}").status_code == 200


def test_document_without_type_is_the_next_needed(user, user_api):
    response = user_api.post(path(user, "/document"), {"file": image()}, format="multipart")
    assert response.json()["data"]["documents"]["governmentIdFront"]["status"] == "PENDING"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "drivingLicence", "file": None}, "type"),
        ({"type": "passport"}, "file"),
        ({"type": "passport", "file": "not-a-file"}, "file"),
    ],
)
def test_document_invalid(user, user_api, body, field):
    body = {k: (image() if v is None else v) for k, v in body.items()}
    response = user_api.post(path(user, "/document"), body, format="multipart")
    assert response.status_code == 422 and field in response.json()["errors"]


@pytest.mark.parametrize("data", [b"not an image", b"<script>alert(1)</script>", b"%PDF-1.4 truncated"])
def test_document_content_is_checked(user, user_api, data):
    response = user_api.post(
        path(user, "/document"), {"type": "passport", "file": image("x.png", data)}, format="multipart"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["The file must be a file of type: jpg, jpeg, bmp, png, pdf."]
    assert not KycItem.objects.filter(user=user).exists()


def test_daily_upload_limit(user, user_api, settings):
    settings.KYC_UPLOADS_PER_DAY = 2
    for _ in range(2):
        assert (
            user_api.post(
                path(user, "/document"), {"type": "passport", "file": image()}, format="multipart"
            ).status_code
            == 200
        )
    response = user_api.post(path(user, "/document"), {"type": "passport", "file": image()}, format="multipart")
    assert response.status_code == 403
    assert response.json() == {"message": "You have reach the maximum number of files uploaded/day."}


def test_accepted_document_is_locked(user, user_api):
    accept(user, ItemKind.PASSPORT)
    response = user_api.post(path(user, "/document"), {"type": "passport", "file": image()}, format="multipart")
    assert response.status_code == 423
    assert response.json() == {"message": "The KYC Docs are not required at this point for current user."}
    # the passport stands for both ID sides, so they are not needed either
    response = user_api.post(path(user, "/document"), {"type": "governmentIdBack", "file": image()}, format="multipart")
    assert response.status_code == 423


# --- the whole KYC at once ----------------------------------------------------------------------


def full_body(**extra):
    return {
        "country": "RO",
        "city": "Pitesti",
        "zip": "123456",
        "street": "Street name Nr. 1",
        "documents[passport]": image(),
        "documents[utilityBill]": image(),
        **extra,
    }


def test_kyc_create(user, user_api):
    body = full_body(
        **{
            "edd[transactionsPurpose]": "investments",
            "edd[transactionsNatureValue]": "2",
            "edd[transactionsNatureFrequency]": "1",
            "edd[fundsSource]": "other",
            "edd[fundsSourceOther]": "inheritance",
            "edd[fundsOrigin]": "personal_savings",
            "edd[fundsSourceFile]": image(),
        }
    )
    response = user_api.post(path(user), body, format="multipart")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["address"]["status"] == "PENDING" and data["documents"]["utilityBill"]["status"] == "PENDING"
    edd = data["enhancedDueDiligence"]
    assert edd["status"] == "PENDING" and edd["transactionsNatureValueField"] == "1000 - 5000"
    assert edd["fundsSourceOther"] == "inheritance" and edd["fundsSourceFile"].startswith("http")


def test_kyc_create_needs_id_or_passport(user, user_api):
    body = full_body()
    body.pop("documents[passport]")
    response = user_api.post(path(user), body, format="multipart")
    assert response.status_code == 422
    assert response.json()["errors"]["documents.governmentIdFront"] == [
        "The documents.government id front field is required when documents.passport is not present."
    ]


def test_kyc_create_edd_other_needs_detail(user, user_api):
    response = user_api.post(path(user), full_body(**{"edd[fundsOrigin]": "other"}), format="multipart")
    assert response.status_code == 422
    assert "edd.fundsOriginOther" in response.json()["errors"]
    assert not KycItem.objects.filter(user=user).exists()


def test_kyc_create_refused_when_a_part_is_accepted(user, user_api):
    accept(user, ItemKind.ADDRESS)
    response = user_api.post(path(user), full_body(), format="multipart")
    assert response.status_code == 423
    assert response.json() == {"message": "The KYC is not required at this point for current user."}
    assert not KycItem.objects.filter(user=user, kind=ItemKind.PASSPORT).exists()


# --- EDD ----------------------------------------------------------------------------------------


def edd_body(**extra):
    return {
        "transactionsPurpose": "other",
        "transactionsPurposeOther": "art",
        "transactionsNatureValue": 5,
        "transactionsNatureFrequency": 2,
        "fundsSource": "bank_account",
        "fundsSourceFile": image(),
        "fundsOrigin": "payroll_funds",
        "fundsOriginFile": image(),
        **extra,
    }


def test_edd(user, user_api):
    response = user_api.post(path(user, "/edd"), edd_body(), format="multipart")
    assert response.status_code == 200
    edd = response.json()["data"]["enhancedDueDiligence"]
    assert edd["transactionsNatureValueField"] == "+50000" and edd["transactionsNatureFrequencyField"] == "6 - 10"
    profile = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]["kyc"]["enhancedDueDiligence"]
    assert profile["transactionsNatureValue"] == 5


def test_edd_invalid(user, user_api):
    response = user_api.post(
        path(user, "/edd"), edd_body(transactionsPurposeOther="", transactionsNatureValue=9), format="multipart"
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["transactionsNatureValue"] == ["The selected transactions nature value is invalid."]
    response = user_api.post(path(user, "/edd"), edd_body(transactionsPurposeOther=""), format="multipart")
    assert response.json()["errors"]["transactionsPurposeOther"] == [
        "The transactions purpose other field is required when transactions purpose is other."
    ]


def test_edd_locked_once_accepted(user, user_api):
    accept(user, ItemKind.EDD)
    response = user_api.post(path(user, "/edd"), edd_body(), format="multipart")
    assert response.status_code == 423
    assert response.json() == {"message": "The KYC EDD is not required at this point for current user."}


# --- video --------------------------------------------------------------------------------------


def test_video_needs_available_staff(user, user_api):
    when = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d 12:00:00")
    response = user_api.post(path(user, "/video"), {"date": when}, format="json")
    assert response.status_code == 421
    assert response.json() == {"message": "Selected date is invalid due admins unavailability."}


def test_video_scheduled_then_slot_taken(user, user_api, other_user, other_api, availability):
    when = availability.starts_at + timedelta(hours=1)
    body = {"date": when.strftime("%Y-%m-%d %H:%M:%S")}
    response = user_api.post(path(user, "/video"), body, format="json")
    assert response.status_code == 200, response.content
    video = response.json()["data"]["video"]
    assert video["status"] == "PENDING" and video["scheduleDate"] == int(when.timestamp())
    assert "/kyc/video-cancel/" in video["cancelScheduleUrl"] and "/kyc/video-reschedule/" in video["rescheduleUrl"]
    assert other_api.post(path(other_user, "/video"), body, format="json").status_code == 421
    # rescheduling moves the user's call
    later = {"date": (when + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")}
    assert user_api.post(path(user, "/video"), later, format="json").status_code == 200
    assert VideoCall.objects.filter(user=user, status="scheduled").count() == 1
    assert other_api.post(path(other_user, "/video"), body, format="json").status_code == 200


@pytest.mark.parametrize("date", ["2020-12-30 12:00:00", "tomorrow", "2030-12-30"])
def test_video_invalid_date(user, user_api, date):
    response = user_api.post(path(user, "/video"), {"date": date}, format="json")
    assert response.status_code == 422 and "date" in response.json()["errors"]


def test_video_locked_once_accepted(user, user_api, availability):
    accept(user, ItemKind.VIDEO)
    body = {"date": (availability.starts_at + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")}
    response = user_api.post(path(user, "/video"), body, format="json")
    assert response.status_code == 423
    assert response.json() == {"message": "The KYC Video is not required at this point for current user."}


# --- phone --------------------------------------------------------------------------------------


def sms_code():
    return re.search(r"code is (\d{6})", sms_outbox.outbox[-1].body).group(1)


def test_phone_add_and_verify(user, user_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["phone"] == "+40722111222" and response.json()["data"]["status"] == 0
    assert sms_outbox.outbox[-1].to == "+40722111222"
    code = sms_code()
    assert PhoneVerification.objects.get(user=user).code_hash != code
    response = user_api.post(path(user, "/phone/verify"), {"code": code}, format="json")
    assert response.status_code == 200 and response.json()["data"]["status"] == 1
    assert user_api.get(path(user)).json()["data"]["level"] == 1
    response = user_api.post(path(user, "/phone/add"), {"phone": "40722111333"}, format="json")
    assert response.status_code == 423 and response.json() == {"message": "The phone number is already verified."}
    assert user_api.post(path(user, "/phone/verify"), {"code": code}, format="json").status_code == 423


def test_phone_add_invalid_numbers(user, user_api):
    for phone, message in (
        ("12", "The phone must be between 7 and 15 digits."),
        ("99999999999", "The phone format is invalid."),
    ):
        response = user_api.post(path(user, "/phone/add"), {"phone": phone}, format="json")
        assert response.status_code == 422 and response.json()["errors"]["phone"] == [message]


def test_phone_already_submitted(user, user_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json")
    response = user_api.post(path(user, "/phone/add"), {"phone": "40722111333"}, format="json")
    assert response.status_code == 423 and response.json() == {"message": "You already submit your phone number."}
    PhoneVerification.objects.update(expires_at=timezone.now())  # once the code is dead, a new number is accepted
    assert user_api.post(path(user, "/phone/add"), {"phone": "40722111333"}, format="json").status_code == 200


def test_phone_code_attempts_are_limited(user, user_api, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json")
    code = sms_code()
    for _ in range(settings.KYC_SMS_CODE_MAX_ATTEMPTS):
        response = user_api.post(
            path(user, "/phone/verify"), {"code": "000000" if code != "000000" else "111111"}, format="json"
        )
        assert response.status_code == 422
        assert response.json()["errors"]["code"] == ["The selected Code is invalid."]
    assert user_api.post(path(user, "/phone/verify"), {"code": code}, format="json").status_code == 422


def test_phone_code_expires(user, user_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json")
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert user_api.post(path(user, "/phone/verify"), {"code": sms_code()}, format="json").status_code == 422


def test_phone_reverify_once_a_day(user, user_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json")
        response = user_api.post(path(user, "/phone/reverify"))
    assert response.status_code == 200 and len(sms_outbox.outbox) == 2
    response = user_api.post(path(user, "/phone/verify"), {"code": sms_code()}, format="json")
    assert response.status_code == 200
    assert user_api.post(path(user, "/phone/reverify")).status_code == 423


def test_phone_reverify_limits(user, user_api, django_capture_on_commit_callbacks):
    assert user_api.post(path(user, "/phone/reverify")).status_code == 422  # no number yet
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json")
        user_api.post(path(user, "/phone/reverify"))
    response = user_api.post(path(user, "/phone/reverify"))
    assert response.status_code == 403
    assert response.json() == {"message": "You can resubmit phone verification once per day."}


def test_sms_throttled_per_number(user, user_api, settings, django_user_model):
    settings.KYC_SMS_RATE_PER_NUMBER = "1/h"
    assert user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json").status_code == 200
    from ..conftest import client_for
    from ..factories import UserFactory

    other = UserFactory()
    response = client_for(other).post(path(other, "/phone/add"), {"phone": "40722111222"}, format="json")
    assert response.status_code == 429
    assert not PhoneVerification.objects.filter(user=other).exists()
