import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import access_token_create
from notifications.sms.backends import locmem as sms_locmem

from .factories import UserFactory


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
