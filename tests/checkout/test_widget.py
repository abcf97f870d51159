"""The checkout widget through HTTP: entry (both token shapes, refusals), resume, the steps, attempts, expiry."""

import html
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from notifications.sms.backends import locmem as sms_locmem
from platforms.checkout import checkout_expire_due
from platforms.checkout_models import Checkout, CheckoutStatusChange
from platforms.checkout_tasks import checkout_expire_due_task
from platforms.models import IenEvent, PlatformUserLink
from platforms.services import platform_create
from trading.order_models import Order, Quote
from trading.payment_page import bank_confirm_url

from .conftest import buyer, entry_url, new_payload, old_payload, sign

pytestmark = pytest.mark.django_db


def open_checkout(widget, platform, pem, payload, **query):
    with TestCase.captureOnCommitCallbacks(execute=True):  # mails, instant event notifications, pings
        response = widget.get(entry_url(platform, sign(payload, pem), **query))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Checkout.objects.get(platform=platform, request_id=_request_id(payload)), response


def _request_id(payload):
    return payload.get("request_id") or payload["payment"]["request_id"]


def page(widget, checkout):
    return widget.get(f"/checkout/{checkout.public_id}/")


def test_entry_creates_the_checkout_and_a_linked_new_user_then_reopening_resumes(shop, widget):
    platform, pem = shop
    payload = old_payload(email="new.buyer@example.com")
    checkout, response = open_checkout(widget, platform, pem, payload, lang="ro", display="dark")
    assert response["Location"] == f"/checkout/{checkout.public_id}/?landing=1"
    user = User.objects.get(email="new.buyer@example.com")
    assert checkout.user == user and not user.is_active  # a new account, its email still to be verified
    link = PlatformUserLink.objects.get(platform=platform, user=user)
    assert link.external_user_id == "29"
    assert (checkout.status, checkout.step, checkout.attempts_limit) == ("created", "account-details", 3)
    assert (checkout.operation, checkout.symbol, checkout.fiat, str(checkout.amount.normalize())) == (
        "buy_with_fiat",
        "ETH",
        "EUR",
        "0.5",
    )
    assert int(checkout.expired_at.timestamp()) == payload["expire"]
    assert (checkout.language, checkout.display) == ("ro", "dark")
    landing = widget.get(response["Location"])
    assert landing.status_code == 200 and "Cumpără 0,5 ETH" in landing.content.decode()  # ro, decimal comma
    assert b'data-theme="dark"' in landing.content and b'lang="ro"' in landing.content

    # The same request id again (a reload, or a new token for it): the same checkout, no second user.
    again, response = open_checkout(
        widget, platform, pem, {**payload, "expire": payload["expire"] + 5}, landing="false"
    )
    assert again.pk == checkout.pk and response["Location"] == f"/checkout/{checkout.public_id}/"
    assert Checkout.objects.count() == 1 and User.objects.filter(email="new.buyer@example.com").count() == 1
    assert CheckoutStatusChange.objects.filter(checkout=checkout).count() == 1


def test_newer_payload_shape(shop, widget):
    platform, pem = shop
    payload = new_payload(email="shape2@example.com")
    checkout, _ = open_checkout(widget, platform, pem, payload)
    assert (checkout.fiat, checkout.attempts_limit, checkout.ip) == ("EUR", 2, "203.0.113.9")
    link = PlatformUserLink.objects.get(platform=platform, user=checkout.user)
    assert (link.external_user_id, link.username) == ("u-77", "dana")
    assert checkout.user.city == "Pitesti" and checkout.user.country == "RO"


@pytest.mark.parametrize(
    "case",
    [
        "unknown platform",
        "not enabled",
        "other key",
        "alg none",
        "hs512 with public key",
        "garbage",
        "no request id",
        "unknown asset",
        "fiat as crypto",
    ],
)
def test_entry_refusals_change_nothing(shop, widget, case):
    import jwt

    platform, pem = shop
    payload = old_payload()
    token = sign(payload, pem)
    code = platform.code
    if case == "unknown platform":
        code = "NOPE"
    elif case == "not enabled":
        platform.checkout_enabled = False
        platform.save(update_fields=["checkout_enabled"])
    elif case == "other key":
        _, other_pem = platform_create(code="OTHER", name="Other")
        token = sign(payload, other_pem)
    elif case == "alg none":
        token = jwt.encode(payload, None, algorithm="none")
    elif case == "hs512 with public key":
        public = platform.keys.first().public_key
        import base64
        import hashlib
        import hmac as _h
        import json

        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        head = b64(json.dumps({"alg": "HS512", "typ": "JWT"}).encode())
        body = b64(json.dumps(payload).encode())
        sig = b64(_h.new(public.encode(), f"{head}.{body}".encode(), hashlib.sha512).digest())
        token = f"{head}.{body}.{sig}"
    elif case == "garbage":
        token = "not.a.jwt"
    elif case == "no request id":
        del payload["payment"]["request_id"]
        token = sign(payload, pem)
    elif case == "unknown asset":
        payload["payment"]["symbol"] = "NOPE"
        token = sign(payload, pem)
    elif case == "fiat as crypto":
        payload["payment"]["symbol"], payload["payment"]["fiat"] = "EUR", "ETH"
        token = sign(payload, pem)
    response = widget.get("/checkout/?" + f"platform={code}&token={token}")
    assert response.status_code == 400
    assert b"This checkout link is invalid." in response.content
    assert Checkout.objects.count() == 0 and not User.objects.filter(email="buyer@example.com").exists()


def test_expired_or_too_long_lived_tokens(shop, widget):
    platform, pem = shop
    expired = old_payload(lifetime=-10)
    response = widget.get(entry_url(platform, sign(expired, pem)))
    assert response.status_code == 410 and b"This checkout has expired." in response.content
    too_long = old_payload(lifetime=40 * 86400)
    response = widget.get(entry_url(platform, sign(too_long, pem)))
    assert response.status_code == 400 and b"expire" in response.content
    assert Checkout.objects.count() == 0


def test_pages_need_the_session_that_opened_the_checkout(shop, widget, client):
    platform, pem = shop
    checkout, _ = open_checkout(widget, platform, pem, old_payload())
    assert page(widget, checkout).status_code == 200
    assert page(client, checkout).status_code == 404  # another browser
    response = client.post(f"/checkout/{checkout.public_id}/details", {"first_name": "X"})
    assert response.status_code == 404


def test_new_user_walks_details_with_the_mailed_code_then_phone_kyc_to_payment(shop, widget):
    platform, pem = shop
    checkout, _ = open_checkout(widget, platform, pem, old_payload(email="walker@example.com"))
    code = re.search(r"verification code is: ([A-Z0-9]+)", mail.outbox[-1].body).group(1)
    details = {"first_name": "Dana", "last_name": "Vio", "date_of_birth": "1990-07-31"}

    wrong = widget.post(f"/checkout/{checkout.public_id}/details", {**details, "code": "ZZZZZZ"})
    assert wrong.status_code == 422 and b"The selected Code is invalid." in wrong.content
    checkout.refresh_from_db()
    assert checkout.status == "created"

    response = widget.post(f"/checkout/{checkout.public_id}/details", {**details, "code": code})
    assert response.status_code == 302
    checkout.refresh_from_db()
    assert (checkout.status, checkout.step) == ("processing", "kyc")  # level 1 needs a verified phone
    assert checkout.user.is_active and checkout.identity_confirmed
    kyc_page = page(widget, checkout)
    assert b"Verify your identity" in kyc_page.content

    with TestCase.captureOnCommitCallbacks(execute=True):
        widget.post(f"/checkout/{checkout.public_id}/kyc/phone", {"phone": "+40712345678"})
    sms_code = re.search(r"(\d{4,8})", sms_locmem.outbox[-1].body).group(1)
    bad = widget.post(f"/checkout/{checkout.public_id}/kyc/phone/verify", {"code": "1"})
    assert bad.status_code == 422
    widget.post(f"/checkout/{checkout.public_id}/kyc/phone/verify", {"code": sms_code})
    checkout.refresh_from_db()
    assert checkout.step == "payment"
    # No bank account yet: the payment step asks for one (tests/checkout/test_widget_instruments.py).
    assert b'data-testid="bank-form"' in page(widget, checkout).content


def test_existing_ccpro_user_not_linked_must_prove_the_email(shop, widget):
    platform, pem = shop
    from ..factories import UserFactory

    user = UserFactory(email="known@example.com")
    checkout, _ = open_checkout(widget, platform, pem, old_payload(email="known@example.com"))
    assert checkout.user == user and not checkout.identity_confirmed
    code = re.search(r"checkout code is: (\d{6})", mail.outbox[-1].body).group(1)
    details = {"first_name": "Ana", "last_name": "Pop", "date_of_birth": "1985-01-02"}
    assert widget.post(f"/checkout/{checkout.public_id}/details", {**details, "code": "123"}).status_code == 422
    assert widget.post(f"/checkout/{checkout.public_id}/details", {**details, "code": code}).status_code == 302
    checkout.refresh_from_db()
    assert checkout.identity_confirmed and checkout.status == "processing"


def test_linked_buyer_gets_quotes_up_to_the_limit_and_pays(shop, widget):
    platform, pem = shop
    user = buyer(platform)
    checkout, _ = open_checkout(widget, platform, pem, old_payload(attempts=2))
    assert checkout.user == user and checkout.identity_confirmed
    details = {"first_name": "Dana", "last_name": "Vio", "date_of_birth": "1990-07-31"}
    assert widget.post(f"/checkout/{checkout.public_id}/details", details).status_code == 302
    checkout.refresh_from_db()
    assert (checkout.status, checkout.step) == ("processing", "payment")

    bank = user.bank_set.first() if hasattr(user, "bank_set") else None
    from accounts.instruments_models import Bank

    bank = Bank.objects.get(user=user)
    assert widget.post(f"/checkout/{checkout.public_id}/quote", {"payment_method": str(bank.pk)}).status_code == 302
    checkout.refresh_from_db()
    assert checkout.attempts_count == 1 and checkout.quote.status == "available"
    assert b"Confirm and pay" in page(widget, checkout).content

    # The quote runs out: a new one is a second attempt.
    Quote.objects.filter(pk=checkout.quote_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert b"Your quote has expired." in page(widget, checkout).content
    widget.post(f"/checkout/{checkout.public_id}/quote", {"payment_method": str(bank.pk)})
    checkout.refresh_from_db()
    assert checkout.attempts_count == 2

    response = widget.post(f"/checkout/{checkout.public_id}/pay")
    assert response.status_code == 302, response.content.decode()[:3000]
    checkout.refresh_from_db()
    assert (checkout.status, checkout.step) == ("finished", "thank-you")
    order = Order.objects.get(quote=checkout.quote)
    assert checkout.order == order and order.user == user
    thanks = page(widget, checkout)
    assert b"Thank you!" in thanks.content and order.public_id.encode() in thanks.content
    # Paid by bank transfer: the thank-you page links the order's signed bank-confirm page, which opens.
    link = re.search(rb'data-testid="checkout-bank-confirm" href="([^"]+)"', thanks.content).group(1).decode()
    link = html.unescape(link)
    assert link == bank_confirm_url(order)  # the order's payment.url
    instructions = widget.get(link.removeprefix(settings.SITE_URL))
    assert instructions.status_code == 200 and order.public_id.encode() in instructions.content
    back = widget.get(f"/checkout/{checkout.public_id}/return")
    assert back.status_code == 302 and back["Location"] == "https://shop.example/done"
    assert list(CheckoutStatusChange.objects.filter(checkout=checkout).values_list("from_status", "to_status")) == [
        ("", "created"),
        ("created", "processing"),
        ("processing", "finished"),
    ]
    # A finished checkout takes no more actions.
    assert widget.post(f"/checkout/{checkout.public_id}/quote").status_code == 409


def test_no_attempt_left_expires_the_checkout(shop, widget):
    platform, pem = shop
    user = buyer(platform)
    checkout, _ = open_checkout(widget, platform, pem, old_payload(attempts=1))
    widget.post(
        f"/checkout/{checkout.public_id}/details", {"first_name": "D", "last_name": "V", "date_of_birth": "1990-07-31"}
    )
    from accounts.instruments_models import Bank

    bank = Bank.objects.get(user=user)
    widget.post(f"/checkout/{checkout.public_id}/quote", {"payment_method": str(bank.pk)})
    Quote.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    widget.post(f"/checkout/{checkout.public_id}/quote", {"payment_method": str(bank.pk)})
    checkout.refresh_from_db()
    assert (checkout.status, checkout.attempts_count) == ("expired", 1)
    assert b"This checkout has expired" in page(widget, checkout).content


def test_expiry_sweep_expires_each_due_checkout_exactly_once(shop, widget, django_capture_on_commit_callbacks):
    platform, pem = shop
    platform.ien_url = "https://shop.example/ien"
    platform.save(update_fields=["ien_url"])
    first = old_payload(email="a@example.com")
    first["user"]["id"] = "a"
    due, _ = open_checkout(widget, platform, pem, first)
    second = old_payload(email="b@example.com")
    second["user"]["id"] = "b"
    later, _ = open_checkout(widget, platform, pem, second)
    Checkout.objects.filter(pk=due.pk).update(expired_at=timezone.now() - timedelta(seconds=1))
    events_before = IenEvent.objects.filter(type="checkout.status").count()
    with django_capture_on_commit_callbacks(execute=False):
        assert checkout_expire_due_task() == 1
        assert checkout_expire_due() == 0
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("expired", "created")
    assert CheckoutStatusChange.objects.filter(checkout=due, to_status="expired").count() == 1
    events = IenEvent.objects.filter(type="checkout.status").order_by("pk")
    assert events.count() == events_before + 1
    assert events.last().payload["status"] == "expired" and events.last().stream == f"checkout:{due.pk}"
    # Reopening an expired checkout does not revive it.
    again = old_payload(email="a@example.com", request_id=due.request_id)
    response = widget.get(entry_url(platform, sign(again, pem)))
    assert response.status_code == 410


def test_request_id_of_another_users_checkout_is_refused(shop, widget):
    platform, pem = shop
    first = old_payload(email="one@example.com")
    open_checkout(widget, platform, pem, first)
    other = old_payload(email="two@example.com", request_id=first["payment"]["request_id"])
    other["user"]["id"] = "another"
    response = widget.get(entry_url(platform, sign(other, pem)))
    assert response.status_code == 400 and Checkout.objects.count() == 1
    assert time.time() > 0
