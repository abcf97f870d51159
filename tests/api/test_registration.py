import re

import pytest

from accounts.models import OneTimeCode, User
from platforms.models import Platform

pytestmark = pytest.mark.django_db

VALID = {
    "email": "New.User@Example.com",
    "password": "s3cret-pass",
    "firstName": "Ana Maria",
    "lastName": "Pop",
    "dateOfBirth": "1990-01-31",
}


def register(api, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        payload = {k: v for k, v in {**VALID, **overrides}.items() if v is not None}
        return api.post("/api/v1/user", payload, format="json")


def code_from(mail) -> str:
    return re.search(r"code is: (\w+)", mail.body).group(1)


def test_register_creates_inactive_user_and_mails_code(api, mailoutbox, django_capture_on_commit_callbacks):
    response = register(api, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"data", "meta"}
    data = body["data"]
    assert data["email"] == "new.user@example.com"
    assert data["isActive"] is False
    assert data["tradeStatus"] is True
    assert data["options"] == {"language": "en", "theme": "light"}
    assert data["meta"] == {"source": "api", "passwordSet": True}
    assert data["selfDeletedAt"] is None
    assert isinstance(data["createdAt"], int)
    assert body["meta"] == {"redirectTo": None, "registerType": "direct"}
    user = User.objects.get(pk=data["uuid"])
    assert user.platform_links.get().platform.code == "CCPRO"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new.user@example.com"]
    code = code_from(mailoutbox[0])
    # only a keyed hash of the code is stored
    assert not OneTimeCode.objects.filter(code_hash=code).exists()
    assert user.password.startswith(("md5$", "argon2"))


def test_register_with_platform_without_password(api, django_capture_on_commit_callbacks):
    platform = Platform.objects.create(code="SHOP", name="Shop", base_url="https://shop.example/")
    response = register(
        api,
        django_capture_on_commit_callbacks,
        password=None,
        platform={"id": str(platform.pk), "userId": "42", "username": "ana_p"},
        redirectTo="https://shop.example/done",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["meta"] == {"redirectTo": "https://shop.example/done", "registerType": "linked"}
    assert body["data"]["meta"]["passwordSet"] is False
    link = User.objects.get(pk=body["data"]["uuid"]).platform_links.get()
    assert (link.platform, link.external_user_id, link.username) == (platform, "42", "ana_p")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": None}, "email", "The email field is required."),
        ({"email": "nope"}, "email", "The email must be a valid email address."),
        ({"password": "short"}, "password", "The password must be at least 8 characters."),
        ({"password": None}, "password", "The password field is required when platform.id is not present."),
        ({"firstName": "Ana1"}, "firstName", "The first name may only contain letters and spaces."),
        ({"lastName": "x" * 192}, "lastName", "The last name may not be greater than 191 characters."),
        ({"dateOfBirth": "31-01-1990"}, "dateOfBirth", "The date of birth does not match the format Y-m-d."),
        ({"phone": "12ab"}, "phone", "The phone must be between 7 and 15 digits."),
        ({"address": {"country": "XX"}}, "address.country", "The selected address.country is invalid."),
        ({"address": {"zip": "1"}}, "address.zip", "The address.zip must be at least 4 characters."),
        (
            {"platform": {"id": "8a0e1b5e-8f2b-4a53-9d0f-5a1f3c9b7e11"}},
            "platform.id",
            "The selected platform.id is invalid.",
        ),
        ({"redirectTo": "not a url"}, "redirectTo", "The redirect to format is invalid."),
    ],
)
def test_register_validation(api, django_capture_on_commit_callbacks, overrides, field, message):
    payload = {k: v for k, v in {**VALID, **overrides}.items() if v is not None}
    response = api.post("/api/v1/user", payload, format="json")
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {field: [message]}}
    assert not User.objects.exists()


def test_register_under_18_refused(api, django_capture_on_commit_callbacks):
    from datetime import date

    today = date.today()
    response = register(api, django_capture_on_commit_callbacks, dateOfBirth=f"{today.year - 17}-01-01")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["dateOfBirth"]


def test_register_duplicate_email_case_insensitive(api, django_capture_on_commit_callbacks):
    assert register(api, django_capture_on_commit_callbacks).status_code == 201
    response = register(api, django_capture_on_commit_callbacks, email="NEW.USER@example.COM")
    assert response.status_code == 422
    assert response.json()["errors"] == {"email": ["The email has already been taken."]}
    assert User.objects.count() == 1


def test_verify_with_emailed_code_activates(api, mailoutbox, django_capture_on_commit_callbacks):
    register(api, django_capture_on_commit_callbacks)
    code = code_from(mailoutbox[0])
    response = api.post("/api/v1/user/verify", {"email": VALID["email"], "code": "WRONG1"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"code": ["The selected Code is invalid."]}
    response = api.post("/api/v1/user/verify", {"email": VALID["email"], "code": code}, format="json")
    assert response.status_code == 200
    assert response.json() == {"message": "User account successfully verified."}
    assert User.objects.get().is_active is True
    again = api.post("/api/v1/user/verify", {"email": VALID["email"], "code": code}, format="json")
    assert again.status_code == 423
    assert again.json() == {"error": "The user account is already active."}


def test_verify_code_attempts_are_limited(api, mailoutbox, django_capture_on_commit_callbacks, settings):
    register(api, django_capture_on_commit_callbacks)
    code = code_from(mailoutbox[0])
    user = User.objects.get()
    for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS):
        api.post("/api/v1/user/verify", {"id": str(user.pk), "code": "BAD000"}, format="json")
    response = api.post("/api/v1/user/verify", {"id": str(user.pk), "code": code}, format="json")
    assert response.status_code == 422
    assert User.objects.get().is_active is False


def test_verify_requires_id_or_email(api):
    response = api.post("/api/v1/user/verify", {"code": "ABC123"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"email": ["The email field is required when id is not present."]}


def test_reverify_once_per_day(api, mailoutbox, django_capture_on_commit_callbacks):
    register(api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/api/v1/user/reverify", {"email": VALID["email"]}, format="json")
    assert first.status_code == 200 and first.json() == {"message": "Email resended."}
    assert len(mailoutbox) == 2
    second = api.post("/api/v1/user/reverify", {"email": VALID["email"]}, format="json")
    assert second.status_code == 403
    assert second.json() == {"message": "You can resubmit email verification once per day."}
    # the resent code replaced the first one
    old, new = code_from(mailoutbox[0]), code_from(mailoutbox[1])
    assert api.post("/api/v1/user/verify", {"email": VALID["email"], "code": old}, format="json").status_code == 422
    assert api.post("/api/v1/user/verify", {"email": VALID["email"], "code": new}, format="json").status_code == 200


def test_reverify_active_account_locked(api, user):
    response = api.post("/api/v1/user/reverify", {"email": user.email}, format="json")
    assert response.status_code == 423
    assert response.json() == {"error": "The user account is already active."}


def test_registrations_from_one_ip_are_rate_limited(api, settings, django_capture_on_commit_callbacks):
    settings.MAIL_RATE_PER_IP = "2/h"
    statuses = [
        register(api, django_capture_on_commit_callbacks, email=f"u{n}@example.com").status_code for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert User.objects.count() == 2
