"""A change of the user's KYC level reaches the partner platforms the user is linked to (IEN `kyc.level`)."""

import pytest

from kyc.models import ItemKind, ItemStatus
from platforms.models import IenEvent, PlatformUserLink
from platforms.services import platform_create

from .conftest import path, set_item
from .test_api import sms_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_shop(user):
    platform, _key = platform_create(code="SHOP", name="Shop", base_url="https://shop.example/")
    platform.ien_url = "https://shop.example/ien"
    platform.save(update_fields=["ien_url"])
    PlatformUserLink.objects.create(platform=platform, user=user, external_user_id="u-1")
    return platform


def test_verifying_the_phone_raises_the_level_and_emits_one_kyc_level_event(
    user, user_api, linked_shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert user_api.post(path(user, "/phone/add"), {"phone": "40722111222"}, format="json").status_code == 200
    assert not IenEvent.objects.exists()  # a pending phone changes no level
    with django_capture_on_commit_callbacks(execute=False):
        response = user_api.post(path(user, "/phone/verify"), {"code": sms_code()}, format="json")
    assert response.status_code == 200
    (event,) = IenEvent.objects.all()
    assert (event.platform_id, event.type, event.stream) == (linked_shop.pk, "kyc.level", f"kyc:{user.pk}")
    profile_kyc = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]["kyc"]
    assert event.payload["level"] == 1 == profile_kyc["level"]
    assert event.payload.keys() == profile_kyc.keys()


def test_no_event_while_the_level_stays_the_same(user, linked_shop):
    set_item(user, ItemKind.PERSONAL, ItemStatus.PENDING)
    set_item(user, ItemKind.PERSONAL, ItemStatus.ACCEPTED)  # level 0 still: phone missing
    assert not IenEvent.objects.exists()
    set_item(user, ItemKind.PHONE, ItemStatus.ACCEPTED)
    assert IenEvent.objects.filter(type="kyc.level").count() == 1


def test_unlinked_users_emit_nothing(user):
    set_item(user, ItemKind.PHONE, ItemStatus.ACCEPTED)
    assert not IenEvent.objects.exists()
