"""The bank-confirm page behind an order's `payment.url`, in a real browser (Chromium), without signing in: the
payment instructions, then the proof of payment sent by the page's script with its progress bar."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from platforms.services import default_platform
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.instruments.conftest import png_bytes
from tests.orders.conftest import confirmed_bank
from tests.trading.conftest import PRICES, set_rates
from trading.order_models import Order
from trading.services import operations_enable_defaults

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_signed_link_shows_the_instructions_and_takes_the_proof(portal, live_server, tmp_path):
    operations_enable_defaults(platform=default_platform())
    set_rates(PRICES)
    cache.clear()
    user = UserFactory(email="payer@example.com")
    bank = confirmed_bank(user)
    api = client_for(user)
    body = {"type": "coin", "orderType": "buy_with_fiat", "orderAmount": "0.5", "orderSymbol": "ETH"}
    body |= {"orderPaymentSymbol": "EUR", "orderPaymentMethod": str(bank.pk)}
    quote = api.post(f"/api/v1/user/{user.pk}/quote", body, format="json").json()["data"]
    order = api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json").json()["data"]
    url = order["payment"]["url"]
    assert url.startswith(f"{live_server.url}/payment/bank-confirm?order={order['id']}&signature="), url

    portal.goto(url)  # no session: the link is the credential
    expect(portal.get_by_test_id("reference")).to_have_text(order["publicId"])
    expect(portal.get_by_test_id("amount")).to_contain_text("EUR")
    expect(portal.get_by_test_id("iban")).not_to_be_empty()
    expect(portal.get_by_test_id("order-status")).to_have_text("PAYMENT_WAITING")
    screenshot(portal, "bank-confirm")

    proof = tmp_path / "proof.png"
    proof.write_bytes(png_bytes())
    portal.get_by_label("Proof of payment").set_input_files(str(proof))
    portal.get_by_role("button", name="Upload proof").click()
    expect(portal.get_by_test_id("order-status")).to_have_text("PROCESSING_PAYMENT")
    expect(portal.get_by_test_id("next-step")).to_contain_text("We received your proof of payment")
    expect(portal.get_by_test_id("proof-form")).to_have_count(0)
    assert Order.objects.get(pk=order["id"]).proof_id is not None


def test_without_javascript_the_plain_form_takes_the_proof(chromium, live_server, settings, tmp_path, request):
    """No script: the form posts the file itself, with the CSRF token, from the page's own origin. The page's
    Referrer-Policy must let the browser send that Origin (no-referrer makes it `Origin: null`, which Django's CSRF
    check refuses with a 403)."""
    settings.SITE_URL = live_server.url
    operations_enable_defaults(platform=default_platform())
    set_rates(PRICES)
    cache.clear()
    user = UserFactory(email="no-script-payer@example.com")
    api = client_for(user)
    body = {"type": "coin", "orderType": "buy_with_fiat", "orderAmount": "0.5", "orderSymbol": "ETH"}
    body |= {"orderPaymentSymbol": "EUR", "orderPaymentMethod": str(confirmed_bank(user).pk)}
    quote = api.post(f"/api/v1/user/{user.pk}/quote", body, format="json").json()["data"]
    order = api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json").json()["data"]

    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(order["payment"]["url"])
        expect(page.get_by_test_id("order-status")).to_have_text("PAYMENT_WAITING")
        proof = tmp_path / "proof.png"
        proof.write_bytes(png_bytes())
        page.get_by_label("Proof of payment").set_input_files(str(proof))
        with page.expect_navigation():
            page.get_by_role("button", name="Upload proof").click()
        expect(page.get_by_test_id("order-status")).to_have_text("PROCESSING_PAYMENT")
        expect(page.get_by_text("Proof of payment successfully uploaded.")).to_be_visible()
        expect(page.get_by_test_id("proof-form")).to_have_count(0)
        screenshot(page, request.node.name)
    finally:
        context.close()
    stored = Order.objects.get(pk=order["id"])
    assert stored.status == "PROCESSING_PAYMENT" and stored.proof_id is not None
