"""Trading in a real browser (Chromium): buying (the live price preview, the quote with its countdown, the order
page with the bank transfer instructions and the proof of payment sent with a progress bar), and a transfer
requested by one user and confirmed by the other."""

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


def test_request_a_transfer_and_confirm_it_as_the_other_user(chromium, live_server, settings, portal):
    from tests.portal.test_trading_pages import level_one
    from tests.transfers.conftest import fund
    from trading.models import Asset
    from trading.transfer_models import Transfer

    set_rates(PRICES)
    cache.clear()
    asker = UserFactory(email="asker@example.com")
    payer = UserFactory(email="payer@example.com")
    level_one(asker, payer)
    fund(payer, Asset.objects.get(symbol="ETH"), "1")
    sign_in(portal, asker.email, DEFAULT_PASSWORD)
    portal.get_by_role("link", name="Transfers").click()
    portal.get_by_label("Send or request").select_option("receive")
    portal.get_by_label("Asset", exact=True).select_option("ETH")
    portal.get_by_label("Amount").fill("0.25")
    portal.get_by_label("Other user").fill(payer.email)
    portal.get_by_role("button", name="Create transfer").click()
    transfer = Transfer.objects.get()
    row = portal.locator(f'[data-transfer="{transfer.public_id}"]')
    expect(row).to_contain_text("Waiting for the payer")
    expect(row.locator("[data-countdown-until]")).to_have_text(re.compile(r"^\d+:\d\d$"))

    other = chromium.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server.url).new_page()
    sign_in(other, payer.email, DEFAULT_PASSWORD)
    other.goto("/transfers")
    other.locator(f'[data-transfer="{transfer.public_id}"]').get_by_role("button", name="Confirm and pay").click()
    expect(other.get_by_text(f"Transfer {transfer.public_id} confirmed.")).to_be_visible()
    screenshot(other, "transfer-confirmed")
    other.context.close()
    transfer.refresh_from_db()
    assert transfer.status == "completed"
    portal.reload()
    expect(portal.get_by_test_id("past-transfers")).to_contain_text("completed")


def test_withdraw_preview_quote_and_order_page(portal):
    from tests.orders.conftest import confirmed_wallet, fund

    operations_enable_defaults(platform=default_platform())
    set_rates(PRICES)
    cache.clear()
    user = UserFactory(email="withdrawer@example.com")
    wallet = confirmed_wallet(user)
    fund(user, "ETH", "3")
    fund(user, "XBT", "0.05")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    balances = portal.locator('[data-panel="balances"] [data-balance="ETH"]')
    expect(balances.get_by_test_id("balance-available")).to_have_text("3")

    portal.get_by_role("link", name="Trade").click()
    portal.get_by_label("What to do").select_option("withdraw")
    portal.get_by_label("Asset", exact=True).select_option("ETH")
    portal.get_by_label("Amount").fill("2")
    preview = portal.get_by_test_id("price-preview")
    expect(preview).to_have_attribute("data-state", "ok")
    expect(preview).to_contain_text(re.compile(r"^2\.?0* ETH → 1\.\d+ ETH"))  # the withdrawal commission comes off
    portal.get_by_label("Withdrawal wallet").select_option(str(wallet.pk))
    portal.get_by_role("button", name="Get a quote").click()
    expect(portal.get_by_test_id("quote-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))

    portal.get_by_role("button", name="Confirm into an order").click()
    expect(portal.get_by_test_id("order-status")).to_have_text("PROCESSING_PAYMENT")
    expect(portal.get_by_test_id("withdrawal-note")).to_contain_text("set aside from your balance")
    expect(portal.get_by_test_id("order")).to_contain_text(wallet.address)
    expect(portal.get_by_test_id("order-history")).to_contain_text("PROCESSING_PAYMENT")
    order = Order.objects.get(user=user)
    assert (order.operation, order.wallet_id, order.from_amount) == ("withdraw", wallet.pk, 2)

    # Back on the dashboard: 2 ETH set aside, and the order links to this page.
    portal.get_by_role("link", name="Dashboard").click()
    expect(balances.get_by_test_id("balance-available")).to_have_text("1")
    expect(balances.get_by_test_id("balance-pending")).to_have_text("+2 pending")
    screenshot(portal, "dashboard-balances-orders")
    portal.set_viewport_size({"width": 390, "height": 844})  # the balances table fits a phone
    portal.reload()
    assert portal.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(portal, "dashboard-balances-phone")
    portal.set_viewport_size({"width": 1280, "height": 860})
    portal.locator('[data-panel="orders"]').get_by_role("link", name=order.public_id).click()
    expect(portal.get_by_test_id("order-status")).to_have_text("PROCESSING_PAYMENT")
