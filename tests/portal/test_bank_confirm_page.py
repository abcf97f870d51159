"""The orders' `payment.url`: a signed link to the hosted bank-confirm page of a purchase paid by bank transfer
(payment instructions with the house's account, status, and the proof upload through the service of the API's
payment-confirmation). Driven through the API bodies and the page over HTTP, without a session."""

import re
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from tests.instruments.conftest import ETH_ADDRESSES, png_bytes
from tests.orders import conftest as orders_conftest
from tests.orders.conftest import confirmed_bank, confirmed_card, confirmed_wallet, fund
from trading import orders
from trading.order_models import Order, OrderStatusChange
from trading.payment_page import bank_confirm_url

from .conftest import csrf_post

pytestmark = pytest.mark.django_db
market = orders_conftest.market

BUY = {"type": "coin", "orderType": "buy_with_fiat", "orderAmount": "0.5", "orderSymbol": "ETH"}
LINK = re.compile(
    rf"^{re.escape(settings.SITE_URL)}/payment/bank-confirm\?order=(?P<order>[0-9a-f-]{{36}})&signature=[0-9a-f]{{64}}$"
)


@pytest.fixture(autouse=True)
def _kyc_limits_open(db):
    from kyc.models import KycLevel

    for level in KycLevel.objects.all():
        level.max_buy = level.max_sell = Decimal(10) ** 15
        level.save()


def buy(api, user, method, *, currency="EUR") -> tuple[dict, dict]:
    """A purchase of 0.5 ETH paid with `method` (a bank or card): (quote, order) as the API answered them."""
    body = {**BUY, "orderPaymentSymbol": currency, "orderPaymentMethod": str(method.pk)}
    quote = api.post(f"/api/v1/user/{user.pk}/quote", body, format="json")
    assert quote.status_code == 201, quote.content
    quote = quote.json()["data"]
    order = api.post(f"/api/v1/user/{user.pk}/quote/{quote['id']}", {}, format="json")
    assert order.status_code == 201, order.content
    return quote, order.json()["data"]


def path_of(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


def with_query(url: str, **changes) -> str:
    query = {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
    query.update(changes)
    query = {key: value for key, value in query.items() if value is not None}
    return "/payment/bank-confirm?" + "&".join(f"{key}={value}" for key, value in query.items())


def proof(name="proof.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type=content_type)


def test_bank_purchases_carry_one_signed_link_in_every_order_body(market, user, user_api):
    bank = confirmed_bank(user)
    quote, confirmed = buy(user_api, user, bank)
    url = confirmed["payment"]["url"]
    match = LINK.match(url or "")
    assert match and match["order"] == confirmed["id"], url
    base = f"/api/v1/user/{user.pk}"
    bodies = {
        "quote confirmation": confirmed,
        "order show": user_api.get(f"{base}/order/{confirmed['id']}").json()["data"],
        "order index": user_api.get(f"{base}/order").json()["data"][0],
        "order coin index": user_api.get(f"{base}/order/coin").json()["data"][0],
        "quote show": user_api.get(f"{base}/quote/{quote['id']}").json()["data"]["order"],
    }
    assert {name: body["payment"]["url"] for name, body in bodies.items()} == dict.fromkeys(bodies, url)
    assert bodies["order show"]["payment"]["method"] == "bank"
    # the link opens the order's page for anyone holding it, without a session
    page = Client().get(path_of(url))
    assert page.status_code == 200
    assert confirmed["publicId"] in page.content.decode()


def test_the_platform_order_list_carries_the_link(market, user, user_api):
    from platforms.services import platform_create, platform_user_link
    from tests.platforms.conftest import platform_client
    from trading.models import PaymentMethod
    from trading.services import operations_enable_defaults

    shop, pem = platform_create(code="SHOP", name="Shop", base_url="https://shop.example/")
    platform_user_link(user=user, platform=shop)
    operations_enable_defaults(platform=shop)
    PaymentMethod.objects.filter(platform=shop, kind="bank").update(status=True)
    cache.clear()
    _quote, order = buy(user_api, user, confirmed_bank(user))
    rows = platform_client(shop, pem).get(f"/api/v1/platform/{shop.pk}/order").json()["data"]
    assert [row["id"] for row in rows] == [order["id"]]
    assert rows[0]["payment"]["url"] == order["payment"]["url"] and LINK.match(order["payment"]["url"])


def test_no_link_for_orders_not_paid_by_the_users_bank_transfer(market, user, user_api):
    """Card purchases, sales paid out to the user's bank, crypto trades, withdrawals and deposits: null."""
    base = f"/api/v1/user/{user.pk}"
    bank, card = confirmed_bank(user), confirmed_card(user)
    _quote, by_card = buy(user_api, user, card)
    fund(user, "ETH", "5")
    wallet = confirmed_wallet(user, address=ETH_ADDRESSES[0])
    bodies = [
        {"type": "coin", "orderType": "sell_to_fiat", "orderAmount": "0.2", "orderSymbol": "ETH",
         "orderPaymentSymbol": "EUR", "orderPaymentMethod": str(bank.pk)},
        {"type": "coin", "orderType": "sell_to_crypto", "orderAmount": "0.2", "orderSymbol": "ETH",
         "orderPaymentSymbol": "XBT"},
        {"type": "coin", "orderType": "withdraw", "orderAmount": "0.2", "orderSymbol": "ETH",
         "wallet": str(wallet.pk)},
    ]  # fmt: skip
    for body in bodies:
        quote = user_api.post(f"{base}/quote", body, format="json").json()["data"]
        assert user_api.post(f"{base}/quote/{quote['id']}", {}, format="json").status_code == 201
    deposit = user_api.post(f"{base}/deposit", {"type": "coin", "symbol": "ETH", "amount": "1", "txID": "0xd"})
    assert deposit.status_code in (200, 201) and deposit.json()["data"]["payment"]["url"] is None
    listed = user_api.get(f"{base}/order").json()["data"]
    assert {o["typeOperationName"] for o in listed} == {
        "buy_with_fiat", "sell_to_fiat", "sell_to_crypto", "withdraw", "deposit",
    }  # fmt: skip
    assert [o["payment"]["url"] for o in listed] == [None] * len(listed)
    assert user_api.get(f"{base}/order/{by_card['id']}").json()["data"]["payment"]["url"] is None
    # a link made up for the card purchase does not open a page either
    forged = bank_confirm_url(Order(pk=uuid.UUID(by_card["id"]), operation="buy_with_fiat", payment_method="bank"))
    assert Client().get(path_of(forged)).status_code == 404


def test_the_page_shows_what_to_send_where_and_what_comes_next(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    response = Client().get(path_of(order["payment"]["url"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-testid="amount">{Decimal(order["fromAmount"]).normalize()} EUR<' in page
    assert f'data-testid="reference">{order["publicId"]}<' in page
    assert f'data-testid="iban">{settings.HOUSE_BANK_ACCOUNT["iban"]}<' in page
    assert settings.HOUSE_BANK_ACCOUNT["beneficiary"] in page
    assert 'data-testid="order-status">PAYMENT_WAITING<' in page and "We are waiting for your bank transfer" in page
    assert 'data-testid="proof-form"' in page and "csrfmiddlewaretoken" in page
    assert 'data-testid="send-instructions"' in page
    # strict-origin: the signature never leaves in a Referer, and a form post still carries the page's Origin
    # (no-referrer makes browsers send `Origin: null`, which the CSRF check refuses: browser/ tests the upload)
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "strict-origin"


@override_settings(HOUSE_BANK_ACCOUNT={"beneficiary": "", "bank": "", "iban": "", "swift": ""})
def test_without_a_configured_house_account_the_page_says_so(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    page = Client().get(path_of(order["payment"]["url"])).content.decode()
    assert 'data-testid="bank-missing"' in page and 'data-testid="iban"' not in page
    # nothing tells the buyer to send money: no instructions, the next step says not to
    assert 'data-testid="send-instructions"' not in page and "We are waiting for your bank transfer" not in page
    assert "Please do not send money for this order now" in page


def test_the_signed_in_order_page_tells_to_send_only_with_an_account(market, user, user_api, settings):
    """The order page shares the rule: instructions to send with an account configured, "do not send" without."""
    _quote, order = buy(user_api, user, confirmed_bank(user))
    web = Client()
    web.force_login(user)
    page = web.get(f"/orders/{order['id']}").content.decode()
    assert 'data-testid="send-instructions"' in page and 'data-testid="proof-form"' in page
    settings.HOUSE_BANK_ACCOUNT = {"beneficiary": "", "bank": "", "iban": "", "swift": ""}
    page = web.get(f"/orders/{order['id']}").content.decode()
    assert 'data-testid="send-instructions"' not in page and 'data-testid="bank-missing"' in page


def test_the_page_is_in_the_language_of_the_orders_user(market, user, user_api):
    user.language = "ro"
    user.save(update_fields=["language"])
    _quote, order = buy(user_api, user, confirmed_bank(user))
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(path_of(order["payment"]["url"]))
    assert response.status_code == 200 and response["Content-Language"] == "ro"
    assert "Plătește comanda" in response.content.decode()


def test_a_bad_link_is_a_404_page(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    url = order["payment"]["url"]
    signature = parse_qs(urlparse(url).query)["signature"][0]
    tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    other_id = str(uuid.uuid4())
    unknown = bank_confirm_url(Order(pk=uuid.UUID(other_id), operation="buy_with_fiat", payment_method="bank"))
    # a validly signed order id that is not a UUID: past the signature, refused by the UUID parse
    not_a_uuid = bank_confirm_url(Order(pk="not-a-uuid", operation="buy_with_fiat", payment_method="bank"))
    assert "order=not-a-uuid&signature=" in not_a_uuid
    for path in (
        with_query(url, signature=tampered),
        with_query(url, signature=signature.upper()),
        with_query(url, signature=None),
        with_query(url, signature=""),
        with_query(url, order=other_id),  # this order's signature on another id
        path_of(not_a_uuid),
        "/payment/bank-confirm",
        path_of(unknown),  # a valid signature of an order that does not exist
    ):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert 'data-testid="bank-confirm-invalid"' in response.content.decode(), path
        post = csrf_post(Client(enforce_csrf_checks=True), path, {"file": proof()})
        assert post.status_code == 404, path
    assert Order.objects.get(pk=order["id"]).status == "PAYMENT_WAITING"


def test_proof_through_the_page_changes_the_order_as_the_api_does(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    link = path_of(order["payment"]["url"])
    web = Client(enforce_csrf_checks=True)
    assert web.post(link, {"file": proof()}).status_code == 403  # no CSRF token: refused, nothing stored
    assert Order.objects.get(pk=order["id"]).proof_id is None

    response = csrf_post(web, link, {"file": proof()})
    assert response.status_code == 302 and response["Location"] == link
    stored = Order.objects.get(pk=order["id"])
    assert stored.status == "PROCESSING_PAYMENT" and stored.proof_id is not None
    change = OrderStatusChange.objects.filter(order=stored).latest("created_at")
    assert (change.from_status, change.to_status, change.actor, change.actor_user_id) == (
        "PAYMENT_WAITING", "PROCESSING_PAYMENT", "User", user.pk,
    )  # fmt: skip
    assert change.reason == "proof of payment uploaded through the payment link"  # the channel, in the history
    body = user_api.get(f"/api/v1/user/{user.pk}/order/{order['id']}").json()["data"]
    assert body["status"] == "PROCESSING_PAYMENT" and body["payment"]["proofUploaded"] == f"/files/{stored.proof_id}"
    assert body["payment"]["url"] == order["payment"]["url"]  # the link stays: the page shows the status
    page = web.get(link).content.decode()
    assert "Proof of payment successfully uploaded." in page
    assert "We received your proof of payment" in page and 'data-testid="proof-form"' not in page

    # once the order left PAYMENT_WAITING: the service's 403, on the page; the API says the same
    again = csrf_post(web, link, {"file": proof()})
    assert again.status_code == 403 and "This order payment is already confirmed." in again.content.decode()
    api = user_api.post(
        f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation", {"file": proof()}, format="multipart"
    )
    assert api.status_code == 403 and api.json() == {"message": "This order payment is already confirmed."}
    assert Order.objects.get(pk=order["id"]).proof_id == stored.proof_id


def test_proof_by_the_pages_script_gets_json(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    link = path_of(order["payment"]["url"])
    web = Client(enforce_csrf_checks=True)
    pdf = proof("p.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = csrf_post(web, link, {"file": pdf}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"message": "Proof of payment successfully uploaded.", "redirect": link}
    assert Order.objects.get(pk=order["id"]).status == "PROCESSING_PAYMENT"
    again = csrf_post(web, link, {"file": proof()}, HTTP_ACCEPT="application/json")
    assert again.status_code == 403 and again.json() == {"message": "This order payment is already confirmed."}


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "The file field is required."),
        (proof("proof.png", b"not an image at all"), "The file must be a file of type"),
        (proof("a.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/x-msdownload"), "The file must be a file of type"),
        (proof("big.pdf", b"%PDF-1.4\n" + b"0" * (10_240 * 1024)), "may not be greater than 10240 kilobytes"),
    ],
    ids=["missing", "not-an-image", "executable", "too-big"],
)
def test_bad_files_are_refused_and_change_nothing(market, user, user_api, upload, message):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    link = path_of(order["payment"]["url"])
    response = csrf_post(Client(enforce_csrf_checks=True), link, {"file": upload} if upload else {})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'data-testid="proof-form"' in response.content.decode()  # still waiting: the form is there to retry
    stored = Order.objects.get(pk=order["id"])
    assert (stored.status, stored.proof_id) == ("PAYMENT_WAITING", None)


def test_a_rejected_order_takes_no_proof(market, user, user_api, admin_user):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    orders.order_reject(order_id=order["id"], staff=admin_user, reason="no payment")
    link = path_of(order["payment"]["url"])
    page = Client().get(link).content.decode()
    assert 'data-testid="order-status">REJECTED<' in page and 'data-testid="proof-form"' not in page
    refused = csrf_post(Client(enforce_csrf_checks=True), link, {"file": proof()})
    assert refused.status_code == 403 and "This order payment is already confirmed." in refused.content.decode()
    assert Order.objects.get(pk=order["id"]).proof_id is None


@override_settings(PAYMENT_PAGE_PROOF_RATE_PER_IP="2/h")
def test_uploads_are_rate_limited_per_ip(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    link = path_of(order["payment"]["url"])
    web = Client(enforce_csrf_checks=True)
    for _ in range(2):
        assert csrf_post(web, link, {"file": proof(data=b"junk")}).status_code == 422
    limited = csrf_post(web, link, {"file": proof()})
    assert limited.status_code == 429 and "Too many attempts" in limited.content.decode()
    assert Order.objects.get(pk=order["id"]).status == "PAYMENT_WAITING"
    # per IP: a client from another address is not limited, and its proof goes through
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")
    assert csrf_post(other, link, {"file": proof()}).status_code == 302
    assert Order.objects.get(pk=order["id"]).status == "PROCESSING_PAYMENT"
    # …while the first address stays limited
    assert csrf_post(web, link, {"file": proof()}).status_code == 429


def test_the_demo_prints_a_working_link_for_its_bank_purchase(settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo_seed", stdout=out)
    match = re.search(r"bank transfer to pay for order (\w+): (\S+)", out.getvalue())
    assert match, out.getvalue()
    assert LINK.match(match[2])
    page = Client().get(path_of(match[2]))
    assert page.status_code == 200 and f'data-testid="reference">{match[1]}<' in page.content.decode()
    # real instructions: what to send, into which account (the suite's settings carry the demo's account)
    assert 'data-testid="send-instructions"' in page.content.decode() and 'data-testid="iban"' in page.content.decode()


def test_production_never_shows_the_demos_account():
    from tests.gates.test_hardening import _manage, _production_env

    code = "from django.conf import settings as s; print(sorted(set(s.HOUSE_BANK_ACCOUNT.values())))"
    unset = dict.fromkeys(("HOUSE_BANK_BENEFICIARY", "HOUSE_BANK_NAME", "HOUSE_BANK_IBAN", "HOUSE_BANK_SWIFT"))
    result = _manage("shell", "--no-imports", "-c", code, env=_production_env(**unset))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['']"
    configured = _production_env(HOUSE_BANK_BENEFICIARY="CCPro SRL", HOUSE_BANK_IBAN="RO12 BANK 0000 0000 0000 0001")
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from trading.payment_page import house_bank_account as h; print(h())",
        env=configured,
    )
    assert "'iban': 'RO12 BANK 0000 0000 0000 0001'" in result.stdout and "'configured': True" in result.stdout


def test_an_inactive_account_is_refused_as_the_api_refuses_it(market, user, user_api):
    _quote, order = buy(user_api, user, confirmed_bank(user))
    link = path_of(order["payment"]["url"])
    user.is_active = False
    user.save(update_fields=["is_active"])
    page = Client().get(link).content.decode()
    assert 'data-testid="order-status">PAYMENT_WAITING<' in page and 'data-testid="proof-form"' not in page
    refused = csrf_post(Client(enforce_csrf_checks=True), link, {"file": proof()})
    assert refused.status_code == 403 and "Your account is inactive." in refused.content.decode()
    assert Order.objects.get(pk=order["id"]).proof_id is None
    # nowhere does the page tell the buyer to send money: no instructions, no account, "do not send money"
    for shown in (page, refused.content.decode()):
        assert 'data-testid="account-inactive"' in shown and "please do not send money" in shown
        assert 'data-testid="send-instructions"' not in shown and 'data-testid="iban"' not in shown
        assert "We are waiting for your bank transfer" not in shown


def test_links_signed_before_a_key_rotation_keep_working(market, user, user_api, settings):
    """SECRET_KEY rotated with the old key kept in SECRET_KEY_FALLBACKS: the links already sent still open the
    page and take the proof; new links are made under the new key; once the old key is dropped, 404."""
    _quote, order = buy(user_api, user, confirmed_bank(user))
    old_link = path_of(order["payment"]["url"])
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-brand-new-secret-key-" + "x" * 40, [old_key]
    assert Client().get(old_link).status_code == 200
    new_url = bank_confirm_url(Order.objects.get(pk=order["id"]))  # what order bodies now carry
    assert LINK.match(new_url) and path_of(new_url) != old_link
    assert Client().get(path_of(new_url)).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert Client().get(old_link).status_code == 404
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert csrf_post(Client(enforce_csrf_checks=True), old_link, {"file": proof()}).status_code == 302
    assert Order.objects.get(pk=order["id"]).status == "PROCESSING_PAYMENT"


def test_a_refused_upload_shows_the_order_as_it_is_now(market, user, user_api, monkeypatch):
    """Another upload lands between the page's read of the order and the service's lock: the refusal (403,
    already confirmed) is shown on the page of the order as it is now, not with the upload form of the
    order as it was read."""
    from trading import payment_page, portal_views

    _quote, order = buy(user_api, user, confirmed_bank(user))
    link = path_of(order["payment"]["url"])
    read = payment_page.order_from_bank_confirm_link

    def read_then_lose_the_race(*, query):
        found = read(query=query)
        won = user_api.post(
            f"/api/v1/user/{user.pk}/order/{order['id']}/payment-confirmation", {"file": proof()}, format="multipart"
        )
        assert won.status_code == 200, won.content
        return found

    monkeypatch.setattr(portal_views.payment_page, "order_from_bank_confirm_link", read_then_lose_the_race)
    response = csrf_post(Client(enforce_csrf_checks=True), link, {"file": proof()})
    page = response.content.decode()
    assert response.status_code == 403 and "This order payment is already confirmed." in page
    assert 'data-testid="order-status">PROCESSING_PAYMENT<' in page and 'data-testid="proof-form"' not in page
    assert "We received your proof of payment" in page


def _manage_sh(*args: str, env: dict, demo: bool):
    """`manage.py *args` in a shell, having sourced scripts/demo_env.sh first (as scripts/run.sh does) or not."""
    import shlex
    import subprocess
    import sys

    from tests.gates.test_hardening import ROOT

    command = shlex.join([sys.executable, "manage.py", *args])
    script = f". scripts/demo_env.sh && exec {command}" if demo else f"exec {command}"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_only_the_demo_has_the_demo_account():
    """Base settings (what manage.py, wsgi and celery default to) have no receiving account: a deployment that
    forgets its settings tells buyers not to send money, never the demo's IBAN, and fails `check --deploy`.
    scripts/run.sh sources scripts/demo_env.sh, which gives the demo its account (passing that check)."""
    import os

    from tests.gates.test_hardening import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("HOUSE_BANK_")}
    env["DJANGO_SETTINGS_MODULE"] = "ccpro.settings.base"
    show = ("shell", "--no-imports", "-c", "from trading.payment_page import house_bank_account as h; print(h())")
    check = ("check", "--deploy", "--tag", "payments")

    bare = _manage_sh(*show, env=env, demo=False)
    assert bare.returncode == 0, bare.stderr
    assert "'iban': ''" in bare.stdout and "'configured': False" in bare.stdout
    refused = _manage_sh(*check, env=env, demo=False)
    assert refused.returncode != 0 and "trading.E002" in refused.stderr, refused.stdout + refused.stderr

    assert ". scripts/demo_env.sh" in (ROOT / "scripts" / "run.sh").read_text()
    demo = _manage_sh(*show, env=env, demo=True)
    assert demo.returncode == 0, demo.stderr
    assert "'iban': 'RO49 AAAA 1B31 0075 9384 0000'" in demo.stdout and "'configured': True" in demo.stdout
    passed = _manage_sh(*check, env=env, demo=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
