"""Buying in a real browser (Chromium): the live price preview, the quote with its countdown, the order page with
the bank transfer instructions and the proof of payment sent with a progress bar."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from platforms.services import default_platform
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.instruments.conftest import png_bytes
from tests.orders.conftest import confirmed_bank
from tests.trading.conftest import PRICES, set_rates
from trading.order_models import Order
from trading.services import operations_enable_defaults

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buy_preview_quote_countdown_order_and_proof(portal, tmp_path):
    operations_enable_defaults(platform=default_platform())
    set_rates(PRICES)
    cache.clear()
    user = UserFactory(email="buyer@example.com")
    bank = confirmed_bank(user)
    sign_in(portal, user.email, DEFAULT_PASSWORD)

    portal.get_by_role("link", name="Trade").click()
    portal.get_by_label("What to do").select_option("buy_with_fiat")
    portal.get_by_label("Asset", exact=True).select_option("ETH")
    portal.get_by_label("Pay or receive in").select_option("EUR")
    portal.get_by_label("Amount").fill("0.5")
    preview = portal.get_by_test_id("price-preview")
    expect(preview).to_have_attribute("data-state", "ok")
    expect(preview).to_contain_text(re.compile(r"EUR → 0\.5\d* ETH"))
    portal.get_by_label("Your bank account or card").select_option(str(bank.pk))
    screenshot(portal, "trade-preview")

    portal.get_by_role("button", name="Get a quote").click()
    countdown = portal.get_by_test_id("quote-countdown")
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"))
    first = countdown.inner_text()
    portal.wait_for_timeout(1500)
    assert countdown.inner_text() != first  # it ticks
    screenshot(portal, "trade-quote")

    portal.get_by_role("button", name="Confirm into an order").click()
    expect(portal.get_by_test_id("order-status")).to_have_text("PAYMENT_WAITING")
    expect(portal.get_by_test_id("bank-details")).to_contain_text("IBAN")
    proof = tmp_path / "proof.png"
    proof.write_bytes(png_bytes())
    portal.get_by_label("Proof of payment").set_input_files(str(proof))
    portal.get_by_role("button", name="Upload proof").click()
    expect(portal.get_by_test_id("order-status")).to_have_text("PROCESSING_PAYMENT")
    expect(portal.get_by_test_id("order-history")).to_contain_text("proof of payment uploaded")
    assert Order.objects.get(user=user).proof_id is not None
