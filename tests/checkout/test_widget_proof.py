"""Who may use a checkout's pages: the entry link is a signed bearer link the partner made (reused to resume, kept in
the checkout's `url`), not a proof of who holds it. A browser session shows and does nothing past the account
details until it proved the buyer's email with the mailed code (or created the checkout for the platform's linked
user); an inactive or closed account acts on nothing through the widget, as through the API."""

import re

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from accounts.instruments_models import Bank
from accounts.models import User
from accounts.services import user_set_active
from platforms.models import PlatformUserLink

from ..factories import UserFactory
from ..instruments.conftest import BIC_RO, IBAN_DE, IBAN_RO
from .conftest import buyer, entry_url, old_payload, sign
from .test_widget import page

pytestmark = pytest.mark.django_db

DETAILS = {"first_name": "Dana", "last_name": "Vio", "date_of_birth": "1990-07-31"}
NEW_BANK = {"bank-bank_name": "ING Bank", "bank-iban": IBAN_RO, "bank-swift": BIC_RO}


def enter(client, url):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mails
        response = client.get(url)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def checkout_code(since: int = 0) -> str | None:
    codes = [re.search(r"checkout code is: (\d{6})", m.body) for m in mail.outbox[since:]]
    return next((found.group(1) for found in reversed(codes) if found), None)


def at_payment(platform, pem, *, linked: bool):
    """A buyer with a confirmed EUR bank (its IBAN: IBAN_DE) whose checkout browser A took to the payment step,
    either the platform's linked user (no code) or a CCPro user the platform names by email (the mailed code)."""
    user = buyer(platform)
    if not linked:
        PlatformUserLink.objects.filter(user=user).delete()
    url = entry_url(platform, sign(old_payload(email=user.email), pem))
    browser_a = Client()
    enter(browser_a, url)
    checkout = user.checkouts.get()
    code = checkout_code() if not linked else ""
    assert (checkout_code() is None) == linked
    response = browser_a.post(f"/checkout/{checkout.public_id}/details", {**DETAILS, "code": code or ""})
    assert response.status_code == 302
    checkout.refresh_from_db()
    assert checkout.step == "payment" and checkout.identity_confirmed
    assert IBAN_DE.encode() in page(browser_a, checkout).content
    return user, checkout, url, browser_a


@pytest.mark.parametrize("linked", [False, True], ids=["named-by-email", "linked"])
def test_the_entry_link_in_another_browser_needs_the_mailed_code_before_the_payment_step(shop, linked):
    platform, pem = shop
    user, checkout, url, browser_a = at_payment(platform, pem, linked=linked)
    base = f"/checkout/{checkout.public_id}"
    mails = len(mail.outbox)

    browser_b = Client()  # whoever else holds the link (history, a forwarded mail, the checkout's stored url)
    assert enter(browser_b, url)["Location"] == f"{base}/"
    shown = page(browser_b, checkout)
    assert IBAN_DE.encode() not in shown.content and b"bank-form" not in shown.content
    assert shown.status_code == 200 and b'data-testid="proof-form"' in shown.content
    bank = Bank.objects.get(user=user)

    # Nothing is added, quoted or paid from browser B before the code.
    refused = browser_b.post(f"{base}/bank", NEW_BANK)
    assert Bank.objects.filter(user=user).count() == 1
    assert refused.status_code == 403 and b"Enter the code we emailed you" in refused.content
    assert IBAN_DE.encode() not in refused.content
    assert browser_b.post(f"{base}/quote", {"payment_method": str(bank.pk)}).status_code == 403
    assert browser_b.post(f"{base}/pay").status_code == 403
    assert browser_b.post(f"{base}/kyc/continue").status_code == 403
    checkout.refresh_from_db()
    assert checkout.attempts_count == 0
    assert len(mail.outbox) == mails + 1 and mail.outbox[-1].to == [user.email]  # a code for this browser

    # Opening the link again does not mail another code while this one is valid; "send again" does, once a minute.
    enter(browser_b, url)
    assert len(mail.outbox) == mails + 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert browser_b.post(f"{base}/details/code").status_code == 302
        assert browser_b.post(f"{base}/details/code").status_code == 302
    assert len(mail.outbox) == mails + 2
    code = checkout_code(mails)

    wrong = browser_b.post(f"{base}/proof", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and b"The selected Code is invalid." in wrong.content
    assert browser_b.post(f"{base}/proof", {"code": code}).status_code == 302
    proven = page(browser_b, checkout)
    assert IBAN_DE.encode() in proven.content and b"proof-form" not in proven.content
    assert browser_b.post(f"{base}/quote", {"payment_method": str(bank.pk)}).status_code == 302

    # Browser A, which proved it first, was never asked again.
    assert b"Confirm and pay" in page(browser_a, checkout).content
    assert browser_a.post(f"{base}/pay").status_code == 302


def test_codes_for_another_browser_are_limited_per_hour(shop, monkeypatch):
    """Whoever holds the link can neither flood the buyer's mailbox nor guess by asking for ever new codes."""
    monkeypatch.setattr("platforms.checkout.IDENTITY_CODE_RESEND_SECONDS", 0)  # no minute between two asks
    platform, pem = shop
    user, checkout, url, _browser_a = at_payment(platform, pem, linked=True)
    browser_b = Client()
    mails = len(mail.outbox)
    enter(browser_b, url)
    base = f"/checkout/{checkout.public_id}"
    with TestCase.captureOnCommitCallbacks(execute=True):
        for _ask in range(4):
            assert browser_b.post(f"{base}/details/code").status_code == 302
        refused = browser_b.post(f"{base}/details/code")
    assert refused.status_code == 429 and b"Too many attempts." in refused.content
    assert b"proof-form" in refused.content and IBAN_DE.encode() not in refused.content
    assert len(mail.outbox) == mails + 5


def test_before_the_code_the_account_details_show_only_what_the_platform_sent(shop):
    """An existing user named by email: their own name and birth date are not shown to the link's holder."""
    platform, pem = shop
    user = UserFactory(email="known@example.com", first_name="Ioana", last_name="Secret")
    browser = Client()
    enter(browser, entry_url(platform, sign(old_payload(email=user.email), pem)))
    checkout = user.checkouts.get()
    shown = page(browser, checkout).content.decode()
    assert "Secret" not in shown and "1990-05-17" not in shown
    assert 'value="Dana"' in shown and 'value="1990-07-31"' in shown  # the platform's own data
    assert browser.post(f"/checkout/{checkout.public_id}/details", DETAILS).status_code == 422  # no code


def test_a_linked_buyers_checkout_resumed_elsewhere_at_the_details_needs_the_code(shop):
    platform, pem = shop
    user = buyer(platform)
    url = entry_url(platform, sign(old_payload(email=user.email), pem))
    enter(Client(), url)  # the browser the platform sent the buyer to: no code
    assert checkout_code() is None
    checkout = user.checkouts.get()
    browser_b = Client()
    enter(browser_b, url)
    code = checkout_code()
    assert code and b'id="code"' in page(browser_b, checkout).content
    base = f"/checkout/{checkout.public_id}"
    assert browser_b.post(f"{base}/details", DETAILS).status_code == 422
    checkout.refresh_from_db()
    assert checkout.status == "created"
    assert browser_b.post(f"{base}/details", {**DETAILS, "code": code}).status_code == 302
    assert IBAN_DE.encode() in page(browser_b, checkout).content


def _deactivated(user):
    user_set_active(user=user, active=False, staff=UserFactory(is_staff=True))


def _closed(user):
    User.objects.filter(pk=user.pk).update(closed_at=timezone.now())  # closed_at alone is enough


@pytest.mark.parametrize("make_inactive", [_deactivated, _closed], ids=["deactivated", "closed"])
def test_an_inactive_account_does_nothing_through_the_widget(shop, make_inactive):
    platform, pem = shop
    user, checkout, url, browser = at_payment(platform, pem, linked=True)
    bank = Bank.objects.get(user=user)
    base = f"/checkout/{checkout.public_id}"
    make_inactive(user)

    shown = page(browser, checkout)
    assert shown.status_code == 403 and b"Your account is inactive." in shown.content
    assert IBAN_DE.encode() not in shown.content
    added = browser.post(f"{base}/bank", NEW_BANK)
    assert added.status_code == 403 and b"Your account is inactive." in added.content
    assert browser.post(f"{base}/quote", {"payment_method": str(bank.pk)}).status_code == 403
    assert browser.post(f"{base}/pay").status_code == 403
    checkout.refresh_from_db()
    assert Bank.objects.filter(user=user).count() == 1 and checkout.attempts_count == 0
    assert checkout.quote_id is None and checkout.order_id is None
    # Resuming the link changes nothing either.
    enter(browser, url)
    assert page(browser, checkout).status_code == 403


def test_an_inactive_account_cannot_confirm_its_details(shop):
    platform, pem = shop
    user = buyer(platform)
    browser = Client()
    enter(browser, entry_url(platform, sign(old_payload(email=user.email), pem)))
    checkout = user.checkouts.get()
    _deactivated(user)
    response = browser.post(f"/checkout/{checkout.public_id}/details", DETAILS)
    assert response.status_code == 403 and b"Your account is inactive." in response.content
    checkout.refresh_from_db()
    assert (checkout.status, checkout.step) == ("created", "account-details")
