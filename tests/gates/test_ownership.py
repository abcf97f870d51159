"""Ownership matrix: every route under api/v1/user/<user>/…, every method, as owner, another user, nobody.

Routes come from the URL resolver, so a new endpoint is covered the day it is mounted. Nested ids (bank,
card, order, …) are made through tests/gates/registry.py, where each issue registers its own.
"""

import uuid

import pytest
from rest_framework.test import APIClient

from ..conftest import client_for
from ..factories import UserFactory
from .registry import API_VIEW_BASES, NESTED_IDS, NOT_THE_CALLER, PATH_VALUES
from .urlwalk import api_routes, user_routes

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"error": "Unauthenticated."}
CASES = [(route, method) for route in user_routes() for method in route.methods]


def _call(client, method: str, path: str):
    if method in ("GET", "DELETE"):
        return getattr(client, method.lower())(path)
    return getattr(client, method.lower())(path, data={}, format="json")


def _owner():
    return UserFactory(first_name="Ownerly", last_name="Secretson", phone="40711222333", city="Ownertown")


def _secrets(user, values: dict) -> list[str]:
    personal = [user.email, str(user.pk), user.first_name, user.last_name, user.phone, user.city]
    return [*personal, *map(str, values.values())]


def _path_values(route, user, *, strict: bool = True) -> dict:
    """Path values naming objects of `user`; unregistered nested keywords fail (strict) or get a random UUID."""
    missing = [k for k in _nested(route) if k not in NESTED_IDS]
    assert not (strict and missing), (
        f"{route}: register a nested-id fixture for {missing} in tests/gates/registry.py (NESTED_IDS) so the "
        "ownership matrix can check another user's ids through the owner's own path"
    )
    values = {k: NESTED_IDS[k].create(user) if k in NESTED_IDS else uuid.uuid4() for k in _nested(route)}
    return {**values, **{k: PATH_VALUES[k] for k in route.keywords if k in PATH_VALUES}, "user": user.pk}


def _nested(route) -> list[str]:
    """The path keywords naming objects of the user's (everything but `user` and public PATH_VALUES)."""
    return [k for k in route.keywords if k != "user" and k not in PATH_VALUES]


def test_user_routes_are_discovered():
    routes = {r.route for r in user_routes()}
    assert "api/v1/user/<str:user>" in routes
    assert "api/v1/user/<str:user>/securities" in routes
    assert all(method for _route, method in CASES)


@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{m} {r}" for r, m in CASES])
def test_only_the_owner_gets_through(route, method):
    owner = _owner()
    values = _path_values(route, owner, strict=False)
    path = route.path(**values)
    owner_api = client_for(owner)
    secrets = _secrets(owner, values)

    for who, client, status, body in (
        ("another user", client_for(UserFactory()), 409, NOT_THE_CALLER),
        ("no token", APIClient(), 401, UNAUTHENTICATED),
    ):
        response = _call(client, method, path)
        assert (response.status_code, response.json()) == (status, body), f"{method} {path} as {who}"
        raw = response.content.decode()
        leaked = [s for s in secrets if s and s in raw]
        assert not leaked, f"{method} {path} as {who} leaks {leaked}"

    # The owner reaches the handler (whatever it then says about an empty body), never a 5xx.
    response = _call(owner_api, method, path)
    assert response.status_code < 500, f"{method} {path} as owner: {response.status_code}"
    assert response.status_code != 401
    assert response.json() != NOT_THE_CALLER or response.status_code != 409, f"{method} {path}: owner refused"


NESTED_CASES = [(route, method) for route, method in CASES if _nested(route)]


@pytest.mark.parametrize(("route", "method"), NESTED_CASES, ids=[f"{m} {r}" for r, m in NESTED_CASES])
def test_another_users_nested_ids_through_own_path(route, method):
    owner, stranger = _owner(), UserFactory()
    theirs = _path_values(route, stranger)
    _path_values(route, owner)  # the owner has objects of that kind too
    path = route.path(**{**theirs, "user": owner.pk})
    response = _call(client_for(owner), method, path)
    for keyword in _nested(route):
        spec = NESTED_IDS[keyword]
        assert response.status_code in spec.foreign_statuses, f"{method} {path}: {response.status_code}"
        assert response.json() in spec.foreign_bodies, f"{method} {path}: {response.json()}"
    assert str(stranger.pk) not in response.content.decode()
    assert stranger.email not in response.content.decode()


@pytest.mark.parametrize("route", api_routes(), ids=str)
def test_every_api_view_has_a_contract_base(route):
    view = route.view_class
    assert view is not None, f"{route} is not a class-based API view"
    assert issubclass(view, API_VIEW_BASES), (
        f"{route}: {view.__module__}.{view.__qualname__} must derive from "
        f"{', '.join(b.__qualname__ for b in API_VIEW_BASES)} (ccpro.api.views) or a base registered in "
        "tests/gates/registry.py API_VIEW_BASES"
    )
