"""The API's request path, made cheaper (docs/performance.md, Session 3) without changing what a caller sees:
the pages' middleware skipped for API paths, the user's URLs tried first, the content negotiation kept per
Accept header, request serializers' worded fields made once per class."""

import json

import pytest
from django.test import Client
from django.urls import resolve
from rest_framework import serializers

from ccpro.api.validation import InputSerializer

from ..conftest import client_for
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_api_request_with_a_portal_session_is_the_tokens_and_sets_no_cookie(user, other_user):
    """Sessions, CSRF, the session's user and messages are the pages': an API request carrying the cookies of
    somebody else's portal session is still the bearer token's, and its response touches no cookie."""
    api = client_for(user)
    api.force_login(other_user)  # a session cookie of another user
    api.cookies["csrftoken"] = "x" * 32
    response = api.get(f"/api/v1/user/{user.pk}")
    assert response.status_code == 200
    assert response.json()["data"]["email"] == user.email
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    # The headers every response gets still come.
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/json"

    response = api.get(f"/api/v1/user/{other_user.pk}")
    assert response.status_code == 409  # the token's user, not the session's


def test_the_pages_keep_sessions_and_csrf():
    web = Client(enforce_csrf_checks=True)
    page = web.get("/login")
    assert page.status_code == 200
    assert "csrftoken" in web.cookies
    assert web.post("/login", {"email": "a@example.com", "password": "x"}).status_code == 403  # no CSRF token

    user = UserFactory(password="a-long-password-1")
    web.force_login(user)
    assert web.get("/dashboard").status_code == 200  # the session's user


def test_an_api_404_is_answered_as_before(user_api, user):
    response = user_api.get(f"/api/v1/user/{user.pk}/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"message": "No query results."}
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("path", "view_name", "kwargs"),
    [
        ("/api/v1/user", "user-create", {}),
        ("/api/v1/user/logout", "user-logout", {}),
        ("/api/v1/user/verify", "user-verify", {}),
        ("/api/v1/user/abc", "user-profile", {"user": "abc"}),
        ("/api/v1/user/abc/quote", "quote-list", {"user": "abc"}),
        ("/api/v1/user/abc/order/coin", "order-list-coin", {"user": "abc"}),
        ("/api/v1/user/abc/order/xyz", "order-detail", {"user": "abc", "order": "xyz"}),
        ("/api/v1/authenticate", "authenticate", {}),
    ],
)
def test_the_users_urls_first_resolve_every_path_as_before(path, view_name, kwargs):
    match = resolve(path)
    assert match.url_name == view_name
    assert match.kwargs == kwargs


def test_content_negotiation_per_accept_header(user_api, user):
    path = f"/api/v1/user/{user.pk}"
    compact = user_api.get(path, HTTP_ACCEPT="application/json")
    for _ in range(2):  # the second answer comes from the kept choice
        indented = user_api.get(path, HTTP_ACCEPT="application/json; indent=4")
        assert indented.content == json.dumps(json.loads(compact.content), indent=4).encode()
        assert indented.headers["Content-Type"] == "application/json"
        anything = user_api.get(path, HTTP_ACCEPT="text/html")
        assert anything.status_code == 200
        assert anything.content == compact.content
        unknown_format = user_api.get(path + "?format=xml")
        assert unknown_format.status_code == 404
        assert unknown_format.json() == {"message": "No query results."}
        assert user_api.get(path + "?format=json").content == compact.content


class _Nested(InputSerializer):
    street = serializers.CharField(max_length=5)


class _Input(InputSerializer):
    firstName = serializers.CharField(max_length=3)
    kind = serializers.ChoiceField(choices=["a", "b"])
    tags = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    address = _Nested(required=False)
    custom_messages = {"kind": {"required": "Pick a kind."}}


class _Flat(InputSerializer):
    firstName = serializers.CharField(max_length=3)
    count = serializers.IntegerField(min_value=2)


def test_worded_fields_are_each_serializers_own():
    first = _Flat(data={"firstName": "abcd", "count": 1})
    second = _Flat(data={"firstName": "ab", "count": 3})
    assert not first.is_valid()
    assert second.is_valid(), second.errors
    assert first.errors == {
        "firstName": ["The first name may not be greater than 3 characters."],
        "count": ["The count must be at least 2."],
    }
    assert first.fields["firstName"] is not second.fields["firstName"]
    assert first.fields["firstName"].parent is first
    assert second.fields["count"].parent is second
    assert _Flat(data={}).is_valid() is False


def test_nested_and_list_fields_keep_their_messages_on_every_instance():
    for _ in range(3):
        form = _Input(data={"firstName": "abcd", "tags": ["abc"], "address": {"street": "abcdef"}})
        assert not form.is_valid()
        assert form.errors == {
            "firstName": ["The first name may not be greater than 3 characters."],
            "kind": ["Pick a kind."],
            "tags": {0: ["The tags may not be greater than 2 characters."]},
            "address": {"street": ["The address.street may not be greater than 5 characters."]},
        }
    assert _Input(data={"firstName": "abc", "kind": "a"}).is_valid()
