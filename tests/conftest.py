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


def staff_login(client, user):
    """Log a staff member in to the admin as the OTP login page would: a confirmed TOTP device and a session
    verified by it (the admin refuses staff without one, accounts/staff_otp.py). Returns the client."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.staff_otp import staff_totp_enrol

    device = staff_totp_enrol(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, with the admin's second factor verified."""
    from django.test import Client

    return staff_login(Client(), admin_user)


@pytest.fixture
def user_api(user):
    return client_for(user)


@pytest.fixture
def other_api(other_user):
    return client_for(other_user)
