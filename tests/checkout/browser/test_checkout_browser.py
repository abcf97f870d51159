"""The checkout widget walked end to end in headless Chromium (Debian's, through Playwright) against the live
server: a token signed with the partner's private key → landing → account details → KYC (the amount needs
level 1: the phone is verified by SMS in the widget) → quote → payment → thank-you → back to the partner."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from notifications.sms.backends import locmem as sms_locmem
from platforms.checkout_models import Checkout, CheckoutStatusChange
from trading.order_models import Order

from ...portal.browser.conftest import chromium, portal, screenshot  # noqa: F401 - fixtures
from ..conftest import buyer, entry_url, old_payload, sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The payment step's refresh script again, looking after 1 s instead of 30 (the page's own timer keeps running).
REFRESH_SOON = """() => {
  document.querySelector("[data-refresh-seconds]").setAttribute("data-refresh-seconds", "1");
  const again = document.createElement("script");
  again.src = document.querySelector("script[src*='checkout_refresh']").src;
  document.head.appendChild(again);
}"""


def test_checkout_from_signed_token_to_thank_you(shop, portal, live_server):  # noqa: F811
    platform, private_pem = shop
    user = buyer(platform, email="browser.buyer@example.com", phone_verified=False)
    payload = old_payload(email=user.email, amount="0.5", redirect_url=f"{live_server.url}/health/")
    cache.clear()

    portal.goto(entry_url(platform, sign(payload, private_pem), lang="en", display="light"))
    expect(portal.get_by_role("heading", name="Buy 0.5 ETH")).to_be_visible()
    screenshot(portal, "checkout_landing")
    portal.get_by_role("link", name="Start").click()

    expect(portal.get_by_role("heading", name="Your account details")).to_be_visible()
    portal.get_by_label("First name").fill("Dana")
    portal.get_by_label("Last name").fill("Vio")
    portal.get_by_label("Date of birth").fill("1990-07-31")
    screenshot(portal, "checkout_details")
    portal.get_by_role("button", name="Continue").click()

    # 0.5 ETH (about 80 EUR) needs KYC level 1: email and a verified phone.
    expect(portal.get_by_role("heading", name="Verify your identity")).to_be_visible()
    portal.get_by_label("Mobile phone number").fill("+40712345678")
    portal.get_by_role("button", name="Text me a code").click()
    expect(portal.get_by_label("SMS code")).to_be_visible()
    code = re.search(r"(\d{4,8})", sms_locmem.outbox[-1].body).group(1)
    portal.get_by_label("SMS code").fill(code)
    screenshot(portal, "checkout_kyc")
    portal.get_by_role("button", name="Verify phone").click()

    expect(portal.get_by_role("heading", name="Quote and payment")).to_be_visible()
    portal.get_by_role("button", name="Get a quote").click()
    expect(portal.get_by_test_id("checkout-quote")).to_contain_text("0.5 ETH")
    screenshot(portal, "checkout_quote")
    portal.get_by_role("button", name="Confirm and pay").click()

    expect(portal.get_by_role("heading", name="Thank you!")).to_be_visible()
    checkout = Checkout.objects.get(platform=platform, request_id=payload["payment"]["request_id"])
    order = Order.objects.get(pk=checkout.order_id)
    expect(portal.get_by_test_id("checkout-order")).to_contain_text(order.public_id)
    screenshot(portal, "checkout_thank_you")
    assert (checkout.status, checkout.step, checkout.attempts_count) == ("finished", "thank-you", 1)
    assert order.user == user and order.operation == "buy_with_fiat" and order.status == "PAYMENT_WAITING"
    assert list(CheckoutStatusChange.objects.filter(checkout=checkout).values_list("to_status", flat=True)) == [
        "created",
        "processing",
        "finished",
    ]

    portal.get_by_role("link", name="Back to Shop").click()
    expect(portal).to_have_url(f"{live_server.url}/health/")


def test_checkout_in_german_adding_the_bank_inside_the_widget(shop, portal, live_server):  # noqa: F811
    """`lang=de` against a browser asking for Romanian: every step in German; the buyer has no bank account yet,
    adds one in the widget, waits for staff to confirm it, and pays with it."""
    from accounts.instruments import instrument_confirm
    from accounts.instruments_models import Bank

    from ...factories import UserFactory
    from ...instruments.conftest import BIC_RO, IBAN_RO

    platform, private_pem = shop
    user = buyer(platform, email="browser.de@example.com", bank=False)
    payload = old_payload(email=user.email, amount="0.5", redirect_url=f"{live_server.url}/health/")
    cache.clear()
    portal.context.set_extra_http_headers({"Accept-Language": "ro-RO,ro;q=0.9"})

    portal.goto(entry_url(platform, sign(payload, private_pem), lang="de", display="dark"))
    expect(portal.get_by_role("heading", name="0,5 ETH kaufen")).to_be_visible()
    portal.get_by_role("link", name="Starten").click()

    expect(portal.get_by_role("heading", name="Ihre Kontodaten")).to_be_visible()
    portal.get_by_label("Vorname").fill("Dana")
    portal.get_by_label("Nachname").fill("Vio")
    portal.get_by_label("Geburtsdatum").fill("1990-07-31")
    portal.get_by_role("button", name="Weiter").click()

    expect(portal.get_by_role("heading", name="Angebot und Zahlung")).to_be_visible()
    expect(portal.get_by_role("heading", name="Bankkonto in EUR hinzufügen")).to_be_visible()
    portal.get_by_label("Name der Bank").fill("ING Bank")
    portal.get_by_label("IBAN").fill("RO00 NOPE")
    portal.get_by_label("SWIFT / BIC").fill(BIC_RO)
    portal.get_by_role("button", name="Bankkonto hinzufügen").click()
    expect(portal.get_by_text("Die IBAN ist ungültig.")).to_be_visible()
    portal.get_by_label("IBAN").fill(IBAN_RO)
    portal.get_by_role("button", name="Bankkonto hinzufügen").click()

    expect(portal.get_by_test_id("instrument-in-review")).to_be_visible()
    expect(portal.get_by_test_id("status")).to_have_text("Wartet auf Bestätigung")
    screenshot(portal, "checkout_de_bank_in_review")
    # The page looks again by itself while the bank is in review, but not once a form field is touched: a reload
    # would wipe what the buyer is typing (the page's own script run again with 1 s instead of 30).
    portal.evaluate("window.notReloaded = true")
    portal.get_by_label("Name der Bank").fill("Zweite Bank")
    portal.evaluate(REFRESH_SOON)
    portal.wait_for_timeout(2500)
    assert portal.evaluate("window.notReloaded === true")
    expect(portal.get_by_label("Name der Bank")).to_have_value("Zweite Bank")
    portal.goto(portal.url.split("#")[0])
    portal.evaluate("window.notReloaded = true")
    portal.evaluate(REFRESH_SOON)
    portal.wait_for_function("window.notReloaded !== true", timeout=10000)  # untouched: it looked again
    expect(portal.get_by_test_id("instrument-in-review")).to_be_visible()
    instrument_confirm(instrument=Bank.objects.get(user=user), staff=UserFactory(is_staff=True))
    portal.get_by_role("link", name="Erneut prüfen").click()

    portal.get_by_role("button", name="Angebot anfordern").click()
    expect(portal.get_by_test_id("checkout-quote")).to_contain_text("0,5 ETH")  # German numbers too
    portal.get_by_role("button", name="Bestätigen und bezahlen").click()
    expect(portal.get_by_role("heading", name="Vielen Dank!")).to_be_visible()
    screenshot(portal, "checkout_de_thank_you")
    checkout = Checkout.objects.get(platform=platform, request_id=payload["payment"]["request_id"])
    assert Order.objects.get(pk=checkout.order_id).bank.iban == IBAN_RO
    expect(portal.locator("html")).to_have_attribute("lang", "de")
