"""Wallets and cards, notifications, the rate chart and the language switch in a real browser (Chromium)."""

import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Card, User, Wallet
from notifications.models import Notification
from notifications.services import notification_create
from platforms.services import default_platform
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.instruments.conftest import ETH_ADDRESSES, png_bytes
from tests.trading.conftest import PRICES, set_rates
from trading.models import Asset, RateSnapshot
from trading.selectors import HISTORY_PERIODS
from trading.services import operations_enable_defaults

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def market_with_history():
    operations_enable_defaults(platform=default_platform())
    now = int(time.time())
    assets = {a.symbol: a for a in Asset.objects.filter(symbol__in=["XBT", "ETH"])}
    snapshots = []
    for symbol, base in (("XBT", 6377), ("ETH", 160)):
        # Hourly over the last two days, daily over the year: every period has points.
        instants = [*range(now - 365 * 86400, now - 2 * 86400, 86400), *range(now - 2 * 86400, now, 3600)]
        for n, ts in enumerate(instants):
            price = Decimal(base) + Decimal(base) / 20 * Decimal((n * 37) % 17 - 8) / 8 + Decimal(n) / 10
            snapshots.append(RateSnapshot(asset=assets[symbol], price=price, source="test", ts=ts))
    RateSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    set_rates(PRICES)
    cache.clear()


def test_add_a_wallet_and_see_it_listed(portal):
    user = UserFactory(email="wallets@example.com")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.get_by_role("link", name="Wallets & cards").click()
    expect(portal.get_by_test_id("no-wallets")).to_be_visible()
    portal.get_by_label("Coin").select_option("ETH")
    portal.get_by_label("Address").fill("0x123")
    portal.get_by_label("Name", exact=True).fill("my-ledger")
    portal.get_by_role("button", name="Add wallet").click()
    expect(portal.locator("#id_address ~ .field__error")).to_be_visible()
    screenshot(portal, "wallet_refused")

    portal.get_by_label("Address").fill(ETH_ADDRESSES[0].lower())
    portal.get_by_role("button", name="Add wallet").click()
    expect(portal.get_by_text("Wallet my-ledger added.")).to_be_visible()
    row = portal.locator('[data-wallet="my-ledger"]')
    expect(row).to_contain_text(ETH_ADDRESSES[0])
    expect(row.get_by_test_id("status")).to_have_text("In review")

    row.get_by_text("Rename").click()
    row.get_by_label("New name").fill("cold-storage")
    row.get_by_role("button", name="Save name").click()
    expect(portal.get_by_text("The wallet is now called cold-storage.")).to_be_visible()
    expect(portal.locator('[data-wallet="cold-storage"]')).to_be_visible()
    assert Wallet.objects.get(user=user).alias == "cold-storage"


def test_upload_a_card_with_images_and_see_the_preview(portal, tmp_path):
    user = UserFactory(email="cards@example.com")
    front, holding = tmp_path / "front.png", tmp_path / "holding.png"
    front.write_bytes(png_bytes((340, 214)))
    holding.write_bytes(png_bytes((300, 300)))
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.goto("/cards")
    portal.get_by_label("Name", exact=True).fill("visa-work")
    portal.get_by_label("Name on the card").fill("Ana Pop")
    portal.get_by_label("Expiry date").fill("12/39")
    portal.get_by_label("Last four digits").fill("4242")
    portal.get_by_label("Photo of the card's front").set_input_files(str(front))
    portal.get_by_label("Photo of you holding the card").set_input_files(str(holding))
    for which in ("front", "holding"):
        preview = portal.locator(f'[data-preview-for="{which}"] img')
        expect(preview).to_be_visible()
        expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
        assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(portal, "card_preview")

    portal.get_by_role("button", name="Add card").click()
    expect(portal.get_by_text("Card visa-work added.")).to_be_visible()
    row = portal.locator('[data-card="visa-work"]')
    expect(row).to_contain_text("4242")
    expect(row.get_by_test_id("status")).to_have_text("In review")
    thumbs = row.locator(".thumbs img")
    expect(thumbs).to_have_count(2)
    portal.wait_for_function("() => [...document.querySelectorAll('.thumbs img')].every(i => i.naturalWidth > 0)")
    assert Card.objects.get(user=user).last_four_digits == "4242"

    portal.set_viewport_size({"width": 390, "height": 844})  # on a phone nothing overflows sideways
    portal.reload()
    assert portal.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(portal, "cards_phone")


def test_replace_a_rejected_card_with_new_photos(portal, tmp_path):
    from accounts import instruments

    user = UserFactory(email="replace@example.com")
    staff = UserFactory(email="staff-cards@example.com", is_staff=True)
    front, holding = tmp_path / "front.png", tmp_path / "holding.png"
    front.write_bytes(png_bytes((340, 214)))
    holding.write_bytes(png_bytes((300, 300)))
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.goto("/cards")
    portal.get_by_label("Name", exact=True).fill("visa-old")
    portal.get_by_label("Name on the card").fill("Ana Pop")
    portal.get_by_label("Expiry date").fill("12/39")
    portal.get_by_label("Last four digits").fill("4242")
    portal.get_by_label("Photo of the card's front").set_input_files(str(front))
    portal.get_by_label("Photo of you holding the card").set_input_files(str(holding))
    portal.get_by_role("button", name="Add card").click()
    card = Card.objects.get(user=user)
    instruments.instrument_reject(instrument=card, staff=staff, reason="The photo is blurred.")

    portal.reload()
    row = portal.locator('[data-card="visa-old"]')
    expect(row.get_by_test_id("reject-reason")).to_contain_text("The photo is blurred.")
    row.get_by_role("link", name="Replace").click()
    expect(portal.get_by_label("Name", exact=True)).to_have_value("visa-old")
    expect(portal.get_by_label("Expiry date")).to_have_value("12/39")
    portal.get_by_label("Name", exact=True).fill("visa-new")
    portal.get_by_label("Last four digits").fill("1881")
    portal.get_by_label("Photo of the card's front").set_input_files(str(front))
    portal.get_by_label("Photo of you holding the card").set_input_files(str(holding))
    expect(portal.locator('[data-preview-for="front"] img')).to_have_attribute("src", re.compile(r"^blob:"))
    screenshot(portal, "card_replace")
    portal.get_by_role("button", name="Replace card").click()

    expect(portal.get_by_text("Card visa-new replaced.")).to_be_visible()
    row = portal.locator('[data-card="visa-new"]')
    expect(row.get_by_test_id("status")).to_have_text("In review")
    expect(row).to_contain_text("1881")
    card.refresh_from_db()
    assert (card.alias, card.last_four_digits, card.status) == ("visa-new", "1881", "PENDING")


def test_read_and_mark_notifications(portal):
    user = UserFactory(email="inbox@example.com", first_name="Ioana")
    for n in range(3):
        notification_create(user=user, event="order_approved", meta={"publicId": f"ORD{n}"})
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    panel = portal.locator('[data-panel="notifications"]')
    expect(panel.get_by_test_id("panel-unread")).to_have_text("3 unread")
    expect(panel.locator(".note")).to_have_count(3)
    panel.get_by_role("link", name="All notifications").click()

    expect(portal.get_by_test_id("unread-count")).to_have_text("You have 3 unread notifications.")
    expect(portal.locator('.note[data-read="false"]')).to_have_count(3)
    # One by itself: its own button, and the page comes back with it read.
    one = Notification.objects.get(user=user, meta__publicId="ORD1")
    portal.locator(f'.note[data-id="{one.pk}"]').get_by_role("button", name="Mark as read").click()
    expect(portal.locator(f'.note[data-id="{one.pk}"]')).to_have_attribute("data-read", "true")
    expect(portal.get_by_test_id("unread-count")).to_have_text("You have 2 unread notifications.")
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 2
    screenshot(portal, "notifications_unread")
    portal.get_by_role("button", name="Mark all as read").click()
    expect(portal.get_by_text("2 notifications marked as read.")).to_be_visible()
    expect(portal.get_by_test_id("unread-count")).to_have_text("You have 0 unread notifications.")
    expect(portal.locator('.note[data-read="true"]')).to_have_count(3)
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()

    portal.get_by_role("link", name="Dashboard").click()
    expect(portal.locator('[data-panel="notifications"]').get_by_test_id("panel-no-unread")).to_be_visible()


def test_the_rate_chart_renders_for_each_period(portal, market_with_history):
    user = UserFactory(email="charts@example.com")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    panel = portal.locator('[data-panel="rates"]')
    canvas = panel.locator("#rate-chart")
    expect(canvas).to_have_attribute("data-period", "day")
    for period in HISTORY_PERIODS:
        panel.locator(f'.periods__link[data-period="{period}"]').click()
        expect(canvas).to_have_attribute("data-period", period)
        expect(portal).to_have_url(re.compile(rf"asset=XBT&period={period}$"))
        expect(panel.locator(f'.periods__link[data-period="{period}"]')).to_have_attribute("aria-current", "true")
        assert int(canvas.get_attribute("data-points")) > 1
        # Something was drawn: the canvas is not blank.
        inked = canvas.evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
        )
        assert inked > 500, period
    expect(panel.get_by_test_id("chart-empty")).to_be_hidden()
    screenshot(portal, "dashboard_rates_year")

    panel.get_by_label("Asset").select_option("ETH")  # another asset reloads the page on the same period
    expect(canvas).to_have_attribute("data-asset", "ETH")
    expect(canvas).to_have_attribute("data-period", "year")


def test_switching_to_romanian_and_dark(portal):
    user = UserFactory(email="limba@example.com", first_name="Mihai")
    sign_in(portal, user.email, DEFAULT_PASSWORD)
    portal.get_by_role("link", name="Account", exact=True).click()
    portal.get_by_label("Language").select_option("ro")
    portal.get_by_label("Theme").select_option("dark")
    portal.get_by_role("button", name="Save preferences").click()
    expect(portal.get_by_text("Preferințele tale au fost salvate.")).to_be_visible()
    expect(portal.locator("html")).to_have_attribute("lang", "ro")
    expect(portal.locator("html")).to_have_attribute("data-theme", "dark")
    expect(portal.get_by_role("button", name="Salvează preferințele")).to_be_visible()
    portal.get_by_role("link", name="Panou").click()
    expect(portal.get_by_role("heading", name="Salut, Mihai")).to_be_visible()
    expect(portal.get_by_text("Contul tău dintr-o privire.")).to_be_visible()
    assert User.objects.values_list("language", "theme").get(pk=user.pk) == ("ro", "dark")
    screenshot(portal, "dashboard_ro_dark")
    portal.get_by_role("link", name="Portofele și carduri").click()
    expect(portal.get_by_role("heading", name="Portofele și metode de plată")).to_be_visible()
