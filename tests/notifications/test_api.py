"""The three endpoints of the reference's "Notification" group, through HTTP."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def base(user):
    return f"/api/v1/user/{user.pk}/notifications"


def test_temporary_list_matches_the_reference_shape(user_api, user, notify):
    notification = notify(user)
    response = user_api.get(f"{base(user)}/temporary")
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "id": str(notification.pk),
                "title": "Order Approved",
                "message": "Your order YN3DIS2F has been approved",
                "category": "order",
                "code": "order_approved",
                "meta": {"id": "e8dfeb1f-b69f-441c-bcee-027ed11f417a", "publicId": "YN3DIS2F"},
                "createdAt": int(notification.created_at.timestamp()),
                "readAt": None,
            }
        ],
        "meta": {"total": 1, "currentPage": 1, "perPage": 25, "lastPage": 1},
    }


def test_temporary_list_is_in_the_users_language(api, notify):
    user = UserFactory(language="ro")
    notify(user)
    item = client_for(user).get(f"{base(user)}/temporary").json()["data"][0]
    assert item["title"] == "Comandă aprobată"
    assert item["message"] == "Comanda ta YN3DIS2F a fost aprobată"


def test_temporary_list_is_newest_first_and_paginated_by_25(user_api, user, notify):
    created = [notify(user, meta={"publicId": f"P{i:07d}"}) for i in range(27)]
    now = timezone.now()
    for age, notification in enumerate(reversed(created)):
        Notification.objects.filter(pk=notification.pk).update(created_at=now - timedelta(minutes=age))
    first = user_api.get(f"{base(user)}/temporary").json()
    assert first["meta"] == {"total": 27, "currentPage": 1, "perPage": 25, "lastPage": 2}
    assert len(first["data"]) == 25
    assert first["data"][0]["meta"]["publicId"] == "P0000026"
    second = user_api.get(f"{base(user)}/temporary?page=2").json()
    assert second["meta"] == {"total": 27, "currentPage": 2, "perPage": 25, "lastPage": 2}
    assert [item["meta"]["publicId"] for item in second["data"]] == ["P0000001", "P0000000"]
    assert user_api.get(f"{base(user)}/temporary?page=3").json()["data"] == []


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_malformed_page_is_not_found(user_api, user, page):
    response = user_api.get(f"{base(user)}/temporary?page={page}")
    assert response.status_code == 404
    assert response.json() == {"message": "No query results."}


def test_type_filter_read_and_unread(user_api, user, notify):
    unread = notify(user)
    read = notify(user, event="kyc_accepted", meta={}, context={"step": "address"})
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    ids = lambda query: [item["id"] for item in user_api.get(f"{base(user)}/temporary{query}").json()["data"]]  # noqa: E731
    assert ids("?type=unread") == [str(unread.pk)]
    assert ids("?type=read") == [str(read.pk)]
    assert set(ids("")) == {str(read.pk), str(unread.pk)}


def test_invalid_type_is_422_in_laravel_words(user_api, user):
    response = user_api.get(f"{base(user)}/temporary?type=all")
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"type": ["The selected type is invalid."]},
    }


def test_one_notification_by_id(user_api, user, notify):
    wanted = notify(user)
    notify(user)
    response = user_api.get(f"{base(user)}/temporary/{wanted.pk}?type=unread")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["data"]] == [str(wanted.pk)]
    assert body["meta"] == {"total": 1, "currentPage": 1, "perPage": 25, "lastPage": 1}
    # The type filter still applies to the one notification.
    assert user_api.get(f"{base(user)}/temporary/{wanted.pk}?type=read").json()["data"] == []


@pytest.mark.parametrize("notification_id", ["not-a-uuid", str(uuid.uuid4())])
def test_unknown_notification_id_is_404(user_api, user, notification_id):
    response = user_api.get(f"{base(user)}/temporary/{notification_id}")
    assert response.status_code == 404
    assert response.json() == {"message": "No query results."}


def test_another_users_notification_is_404_and_another_users_inbox_is_409(user_api, user, other_user, notify):
    theirs = notify(other_user)
    response = user_api.get(f"{base(user)}/temporary/{theirs.pk}")
    assert response.status_code == 404
    for method, path in (
        ("get", f"{base(other_user)}/temporary"),
        ("get", f"{base(other_user)}/temporary/{theirs.pk}"),
        ("get", f"{base(other_user)}/permanently"),
        ("post", f"{base(other_user)}/temporary/mark-as-read"),
    ):
        response = getattr(user_api, method)(path)
        assert response.status_code == 409
        assert response.json() == {"message": "This action is unauthorized."}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert user_api.get(f"{base(user)}/temporary").json()["data"] == []


@pytest.mark.parametrize(
    "method,suffix", [("get", "permanently"), ("get", "temporary"), ("post", "temporary/mark-as-read")]
)
def test_endpoints_need_a_token_and_an_active_account(api, user, method, suffix):
    response = getattr(api, method)(f"{base(user)}/{suffix}")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthenticated."}
    inactive = UserFactory(is_active=False)
    response = getattr(client_for(inactive), method)(f"{base(inactive)}/{suffix}")
    assert response.status_code == 403
    assert response.json() == {"message": "Your account is inactive."}


def test_mark_as_read_marks_all_unread_and_returns_them(user_api, user, notify):
    already = notify(user)
    Notification.objects.filter(pk=already.pk).update(read_at=timezone.now() - timedelta(days=1))
    first, second = notify(user), notify(user)
    response = user_api.post(f"{base(user)}/temporary/mark-as-read")
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["data"]} == {str(first.pk), str(second.pk)}
    assert all(isinstance(item["readAt"], int) for item in body["data"])
    assert body["meta"] == {"total": 2, "currentPage": 1, "perPage": 25, "lastPage": 1}
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    # Nothing left to mark: an empty page, and the earlier read time is untouched.
    again = user_api.post(f"{base(user)}/temporary/mark-as-read").json()
    assert again == {"data": [], "meta": {"total": 0, "currentPage": 1, "perPage": 25, "lastPage": 1}}
    assert user_api.get(f"{base(user)}/temporary?type=unread").json()["data"] == []


def test_list_query_count_does_not_grow_with_notifications(user_api, user, notify):
    notify(user)
    url = f"{base(user)}/temporary"
    user_api.get(url)  # the token's first use writes lastUsedAt; measure after it
    with CaptureQueriesContext(connection) as one:
        assert user_api.get(url).status_code == 200
    for _ in range(30):
        notify(user)
    with CaptureQueriesContext(connection) as many:
        assert len(user_api.get(url).json()["data"]) == 25
    assert len(many.captured_queries) == len(one.captured_queries)
    with CaptureQueriesContext(connection) as marked:
        assert len(user_api.post(f"{base(user)}/temporary/mark-as-read").json()["data"]) == 25
    assert len(marked.captured_queries) <= len(one.captured_queries) + 4


# --- Permanent -------------------------------------------------------------------------------------


def permanent(client, user):
    response = client.get(f"{base(user)}/permanently")
    assert response.status_code == 200
    return response.json()


def test_permanent_is_empty_for_a_user_with_nothing_pending(user_api, user, equipped):
    equipped(user)
    assert permanent(user_api, user) == {"data": [], "meta": {"total": 0}}


def test_missing_instruments_turn_their_entries_on(user_api, user, equipped):
    from tests.instruments.conftest import make_wallet

    make_wallet(user, status="PENDING")  # pending instruments are not usable yet
    body = permanent(user_api, user)
    assert [(e["category"], e["code"]) for e in body["data"]] == [
        ("wallet", "wallet_unavailable"),
        ("card", "card_unavailable"),
        ("bank", "bank_unavailable"),
    ]
    assert body["data"][0]["message"] == "No crypto wallet available for use."
    assert body["meta"] == {"total": 0}  # total counts unread notifications (docs/decisions.md)
    equipped(user)
    assert permanent(user_api, user)["data"] == []


def test_notifications_unread_turns_on_and_off(user_api, user, notify, equipped):
    equipped(user)
    notify(user)
    assert permanent(user_api, user) == {
        "data": [
            {
                "type": "permanently",
                "category": "notification",
                "code": "notifications_unread",
                "message": "You have 1 unread notification.",
            }
        ],
        "meta": {"total": 1},
    }
    notify(user)
    body = permanent(user_api, user)
    assert body["data"][0]["message"] == "You have 2 unread notifications."
    assert body["meta"] == {"total": 2}
    user_api.post(f"{base(user)}/temporary/mark-as-read")
    assert permanent(user_api, user) == {"data": [], "meta": {"total": 0}}


def test_self_deleted_at_turns_on_with_initiate_and_off_with_abort(user_api, user, equipped):
    from tests.factories import DEFAULT_PASSWORD

    equipped(user)
    response = user_api.post(f"/api/v1/user/{user.pk}/account/close/initiate", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.json()
    assert permanent(user_api, user)["data"] == [
        {
            "type": "permanently",
            "category": "user",
            "code": "self_deleted_at",
            "message": "Your account is in pending self deleting.",
        }
    ]
    assert user_api.post(f"/api/v1/user/{user.pk}/account/close/abort").status_code == 200
    assert permanent(user_api, user)["data"] == []


def test_permanent_entries_follow_the_reference_order_and_language(notify, equipped):
    user = equipped(UserFactory(language="ro", self_deleted_at=timezone.now()))
    notify(user)
    notify(user)
    body = permanent(client_for(user), user)
    assert [entry["code"] for entry in body["data"]] == ["notifications_unread", "self_deleted_at"]
    assert body["data"][0]["message"] == "Ai 2 notificări necitite."
    assert body["meta"] == {"total": 2}


def test_phone_unverified_turns_on_with_an_unconfirmed_number_and_off_once_verified(user_api, user, equipped):
    from kyc.models import ItemKind, ItemStatus
    from tests.kyc.conftest import set_item

    equipped(user)
    user.phone = "40712345678"
    user.save(update_fields=["phone"])
    assert permanent(user_api, user)["data"] == [
        {
            "type": "permanently",
            "category": "kyc",
            "code": "phone_unverified",
            "message": "Your phone number is not verified.",
        }
    ]
    set_item(user, ItemKind.PHONE, ItemStatus.ACCEPTED)
    assert permanent(user_api, user)["data"] == []
