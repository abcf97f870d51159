import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import access_token_create
from notifications.sms.backends import locmem as sms_locmem

from .factories import UserFactory


def pytest_collection_modifyitems(items):
    """Transactional tests (threads, live server) empty every table when they end. Serialized rollback puts back
    the rows the data migrations seeded (assets, the house platform, KYC levels, staff groups), so the tests that
    run after them still find that reference data."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@pytest.fixture(autouse=True)
def _isolated_cache_and_outboxes():
    cache.clear()
    sms_locmem.outbox.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


def client_for(user):
    _, raw = access_token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_token = raw
    return client


@pytest.fixture
def user_api(user):
    return client_for(user)


@pytest.fixture
def other_api(other_user):
    return client_for(other_user)
