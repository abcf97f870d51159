"""Opening the same checkout link from many requests at once: one checkout, one account, every request resumes
it (real threads on PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from platforms.checkout_models import Checkout, CheckoutStatusChange

from .conftest import entry_url, old_payload, sign

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_openings_of_one_link_make_one_checkout_and_one_user(shop):
    platform, pem = shop
    payload = old_payload(email="rush@example.com")
    url = entry_url(platform, sign(payload, pem))
    barrier = threading.Barrier(8)
    results = []

    def open_link():
        try:
            barrier.wait()
            response = Client().get(url)
            results.append((response.status_code, response.get("Location", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=open_link) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    checkout = Checkout.objects.get()
    assert User.objects.filter(email="rush@example.com").count() == 1
    assert CheckoutStatusChange.objects.filter(checkout=checkout).count() == 1
    assert sorted(status for status, _ in results) == [302] * 8, results
    assert {location.split("?")[0] for _, location in results} == {f"/checkout/{checkout.public_id}/"}
