"""A buyer new to CCPro adds the bank account (or card) to pay with inside the widget: the accounts services and
the API's input rules, shown with its review status; the checkout goes on once staff confirm it."""

import re

import pytest
from django.core import mail
from django.test import TestCase

from accounts.instruments import instrument_confirm, instrument_reject
from accounts.instruments_models import Bank, Card, InstrumentStatusChange
from notifications.sms.backends import locmem as sms_locmem
from platforms.checkout_models import Checkout
from trading.order_models import Order

from ..factories import UserFactory
from ..instruments.conftest import BIC_RO, IBAN_DE, IBAN_RO, image_upload
from .conftest import buyer, old_payload
from .test_widget import open_checkout, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


DETAILS = {"first_name": "Dana", "last_name": "Vio", "date_of_birth": "1990-07-31"}


def new_buyer_at_payment(widget, platform, pem, *, email="fresh@example.com", **payload) -> Checkout:
    """A brand-new user through the widget: entry, the mailed code with the details, the SMS code (level 1)."""
    checkout, _ = open_checkout(widget, platform, pem, old_payload(email=email, **payload))
    code = re.search(r"verification code is: ([A-Z0-9]+)", mail.outbox[-1].body).group(1)
    assert widget.post(f"/checkout/{checkout.public_id}/details", {**DETAILS, "code": code}).status_code == 302
    with TestCase.captureOnCommitCallbacks(execute=True):
        widget.post(f"/checkout/{checkout.public_id}/kyc/phone", {"phone": "+40712345678"})
    sms_code = re.search(r"(\d{4,8})", sms_locmem.outbox[-1].body).group(1)
    widget.post(f"/checkout/{checkout.public_id}/kyc/phone/verify", {"code": sms_code})
    checkout.refresh_from_db()
    assert (checkout.status, checkout.step) == ("processing", "payment")
    assert not checkout.user.has_usable_password()  # no way into the portal: the widget is all they have
    return checkout


def test_new_user_adds_a_bank_waits_for_staff_then_pays(shop, widget):
    platform, pem = shop
    checkout = new_buyer_at_payment(widget, platform, pem)
    url = f"/checkout/{checkout.public_id}"
    start = page(widget, checkout).content.decode()
    assert 'data-testid="bank-form"' in start and "Get a quote" not in start
    assert "bank account in EUR" in start

    # Without a confirmed bank no quote is taken (it could not be paid): no attempt is spent.
    refused = widget.post(f"{url}/quote")
    assert refused.status_code == 422 and b"The payment method field is required." in refused.content
    checkout.refresh_from_db()
    assert checkout.attempts_count == 0 and checkout.quote_id is None

    # The API's rules: a bad IBAN, and a BIC of another country than the IBAN's; nothing is stored.
    bad = widget.post(f"{url}/bank", {"bank-bank_name": "ING", "bank-iban": "RO00 NOPE", "bank-swift": BIC_RO})
    assert bad.status_code == 422 and b"The iban is not a valid IBAN." in bad.content
    mismatch = widget.post(f"{url}/bank", {"bank-bank_name": "ING", "bank-iban": IBAN_DE, "bank-swift": BIC_RO})
    assert mismatch.status_code == 422 and b"The swift does not match the country of the iban." in mismatch.content
    assert b'value="ING"' in mismatch.content  # the form keeps what was typed
    assert not Bank.objects.filter(user=checkout.user).exists()

    spaced = " ".join(IBAN_RO[i : i + 4] for i in range(0, len(IBAN_RO), 4))
    added = widget.post(f"{url}/bank", {"bank-bank_name": "ING Bank", "bank-iban": spaced, "bank-swift": BIC_RO})
    assert added.status_code == 302 and added["Location"] == f"{url}/#instruments"
    bank = Bank.objects.get(user=checkout.user)
    assert (bank.iban, bank.currency, bank.status) == (IBAN_RO, "EUR", "PENDING")  # the checkout's fiat
    assert InstrumentStatusChange.objects.filter(bank=bank, to_status="PENDING", actor="User").count() == 1

    waiting = page(widget, checkout).content.decode()
    assert "Waiting for confirmation" in waiting and 'data-testid="instrument-in-review"' in waiting
    # The page looks again by itself (a script that stops once a form field is touched), no meta refresh.
    assert 'data-refresh-seconds="30"' in waiting and "platforms/checkout_refresh.js" in waiting
    assert "http-equiv" not in waiting
    assert "Get a quote" not in waiting
    # The same IBAN again is the accounts service's refusal, next to the field.
    again = widget.post(f"{url}/bank", {"bank-bank_name": "ING Bank", "bank-iban": IBAN_RO, "bank-swift": BIC_RO})
    assert again.status_code == 422 and b"The iban has already been taken." in again.content
    assert widget.post(f"{url}/quote", {"payment_method": str(bank.pk)}).status_code == 422  # not confirmed yet

    staff = UserFactory(is_staff=True)
    instrument_confirm(instrument=bank, staff=staff)
    ready = page(widget, checkout).content.decode()
    assert "Get a quote" in ready and str(bank.pk) in ready and "data-refresh-seconds" not in ready

    assert widget.post(f"{url}/quote", {"payment_method": str(bank.pk)}).status_code == 302
    assert widget.post(f"{url}/pay").status_code == 302
    checkout.refresh_from_db()
    order = Order.objects.get(pk=checkout.order_id)
    assert (checkout.status, checkout.step) == ("finished", "thank-you")
    assert (order.bank_id, order.payment_method, order.user_id) == (bank.pk, "bank", checkout.user_id)


def test_a_rejected_bank_shows_why_and_another_can_be_added(shop, widget):
    platform, pem = shop
    user = buyer(platform, bank=False)
    checkout, _ = open_checkout(widget, platform, pem, old_payload(email=user.email))
    widget.post(f"/checkout/{checkout.public_id}/details", DETAILS)
    url = f"/checkout/{checkout.public_id}"
    widget.post(f"{url}/bank", {"bank-bank_name": "ING Bank", "bank-iban": IBAN_RO, "bank-swift": BIC_RO})
    instrument_reject(instrument=Bank.objects.get(user=user), staff=UserFactory(is_staff=True), reason="Not your name")
    shown = page(widget, checkout).content.decode()
    assert "Rejected" in shown and "Not your name" in shown and 'data-testid="bank-form"' in shown
    assert "instrument-in-review" not in shown and "data-refresh-seconds" not in shown


def test_card_checkout_takes_a_card_with_both_images(shop, widget, media_root):
    platform, pem = shop
    user = buyer(platform, bank=True)  # a confirmed bank does not pay a card checkout
    payload = old_payload(email=user.email)
    payload["payment"]["method"] = "card"
    checkout, _ = open_checkout(widget, platform, pem, payload)
    widget.post(f"/checkout/{checkout.public_id}/details", DETAILS)
    url = f"/checkout/{checkout.public_id}"
    assert b'data-testid="card-form"' in page(widget, checkout).content
    card = {
        "card-alias": "visa-work",
        "card-holder_name": "Dana Vio",
        "card-expiration": "12/39",
        "card-last_four_digits": "4242",
    }
    # A bank for this card checkout is refused by the step.
    german = {"bank-bank_name": "ING", "bank-iban": IBAN_DE, "bank-swift": "COBADEFFXXX"}
    wrong_kind = widget.post(f"{url}/bank", german)
    assert wrong_kind.status_code == 409 and Bank.objects.filter(user=user).count() == 1

    no_images = widget.post(f"{url}/card", card)
    assert no_images.status_code == 422 and b"The card image1 field is required." in no_images.content
    not_an_image = widget.post(
        f"{url}/card",
        {**card, "card-image_front": image_upload("front.png", data=b"%PDF-1.4"), "card-image_holding": image_upload()},
    )
    assert not_an_image.status_code == 422 and not Card.objects.filter(user=user).exists()

    added = widget.post(
        f"{url}/card",
        {**card, "card-image_front": image_upload("front.png"), "card-image_holding": image_upload("holding.png")},
    )
    assert added.status_code == 302
    stored = Card.objects.get(user=user)
    assert (stored.alias, stored.last_four_digits, stored.status) == ("visa-work", "4242", "PENDING")
    assert stored.image_front_id and stored.image_holding_id
    shown = page(widget, checkout).content.decode()
    assert "visa-work" in shown and "Waiting for confirmation" in shown and "Get a quote" not in shown

    instrument_confirm(instrument=stored, staff=UserFactory(is_staff=True))
    assert widget.post(f"{url}/quote", {"payment_method": str(stored.pk)}).status_code == 302
    assert widget.post(f"{url}/pay").status_code == 302
    assert Order.objects.get(user=user).card_id == stored.pk


def test_instrument_forms_act_only_at_the_payment_step_of_this_browsers_checkout(shop, widget, client):
    platform, pem = shop
    checkout, _ = open_checkout(widget, platform, pem, old_payload(email="early@example.com"))
    body = {"bank-bank_name": "ING Bank", "bank-iban": IBAN_RO, "bank-swift": BIC_RO}
    assert widget.post(f"/checkout/{checkout.public_id}/bank", body).status_code == 423  # still account details
    early = widget.post(f"/checkout/{checkout.public_id}/card", {})  # the step, not the form, answers
    assert early.status_code == 423 and b"This step is not open at this point." in early.content
    assert client.post(f"/checkout/{checkout.public_id}/bank", body).status_code == 404  # another browser
    assert not Bank.objects.exists()
