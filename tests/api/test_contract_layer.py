"""The cross-cutting rules of the reference, checked on real endpoints."""

import uuid

import pytest

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer x y", "Bearer " + "a" * 64, "Token abc", "Bearer é"])
def test_401_body(api, user, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api.get(f"/api/v1/user/{user.pk}", **kwargs)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthenticated."}


def test_409_for_another_users_path(user_api, other_user):
    response = user_api.get(f"/api/v1/user/{other_user.pk}")
    assert response.status_code == 409
    assert response.json() == {"message": "This action is unauthorized."}


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", "%20"])
def test_malformed_user_id_404(user_api, bad):
    response = user_api.get(f"/api/v1/user/{bad}")
    assert response.status_code == 404
    assert response.json() == {"message": "No query results."}


def test_inactive_user_403_even_on_others_path(api):
    from ..conftest import client_for

    inactive = UserFactory(is_active=False)
    response = client_for(inactive).get(f"/api/v1/user/{uuid.uuid4()}")
    assert response.status_code == 403
    assert response.json() == {"message": "Your account is inactive."}


def test_unknown_api_path_json_404(api):
    response = api.get("/api/v1/nowhere/at/all")
    assert response.status_code == 404
    assert response.json() == {"message": "No query results."}


def test_method_not_allowed(user_api, user):
    response = user_api.delete(f"/api/v1/user/{user.pk}")
    assert response.status_code == 405
    assert response.json()["message"].startswith("The DELETE method is not supported for this route.")


def test_malformed_json_400_changes_nothing(api):
    response = api.post("/api/v1/user", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"message": "The request body could not be parsed.", "errors": {}}


def test_json_array_body_is_422(api):
    response = api.post("/api/v1/user", data="[1, 2]", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["Invalid data. Expected a dictionary, but got list."]}


def test_wrong_content_type_415(api):
    response = api.post("/api/v1/authenticate", data="email=x", content_type="text/plain")
    assert response.status_code == 415
    assert "message" in response.json()


def test_oversized_body_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.post("/api/v1/user", data='{"email": "' + "a" * 4096 + '"}', content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"message": "The request body is too large."}


def test_wrong_types_are_422_not_500(api):
    payload = {
        "email": ["x"],
        "password": {"a": 1},
        "firstName": 5,
        "lastName": None,
        "dateOfBirth": 12,
        "address": "string",
        "platform": [1],
    }
    response = api.post("/api/v1/user", payload, format="json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["address"] == ["The address must be an object."]
    assert errors["lastName"] == ["The last name field is required."]


def test_accept_header_does_not_matter(api):
    response = api.get("/api/v1/countries", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_countries_from_maintained_lists(api):
    data = api.get("/api/v1/countries").json()["data"]
    by_code = {c["code"]: c for c in data}
    assert len(data) >= 249
    assert by_code["RO"] == {"code": "RO", "name": "Romania", "phoneCode": 40}
    assert by_code["US"]["phoneCode"] == 1
    assert [c["name"] for c in data] == sorted(c["name"] for c in data)


def test_schema_and_docs_served(api):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/authenticate" in paths and "/api/v1/user/{user}/securities/access" in paths
    docs = api.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_health(api):
    response = api.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
