"""The widget speaks the `lang` of its entry URL (en, ro, de) on every step, whatever the browser's
Accept-Language, and translates the messages it shows; its catalogues hold every string it can show."""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils.translation.template import templatize

from accounts.instruments import instrument_confirm
from accounts.instruments_models import Bank
from notifications.sms.backends import locmem as sms_locmem
from platforms.checkout_models import Checkout

from ..factories import UserFactory
from ..instruments.conftest import BIC_RO, IBAN_RO
from .conftest import buyer, entry_url, old_payload, sign
from .test_widget import open_checkout, page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DETAILS = {"first_name": "Dana", "last_name": "Vio", "date_of_birth": "1990-07-31"}
# What each step shows, per language; the browser always asks for another language than the widget's.
WORDS = {
    "ro": {
        "accept": "de-DE,de;q=0.9,en;q=0.5",
        "landing": "Cumpără 0,5 ETH",
        "details": "Datele contului tău",
        "code_invalid": "Codul introdus nu este valid.",
        "kyc": "Verifică-ți identitatea",
        "phone_button": "Trimite-mi un cod prin SMS",
        "payment": "Cotație și plată",
        "bank_form": "Adaugă un cont bancar în EUR",
        "iban_invalid": "IBAN-ul nu este valid.",
        "in_review": "Așteaptă confirmarea",
        "quote_button": "Cere o cotație",
        "pay_button": "Confirmă și plătește",
        "thanks": "Mulțumim!",
        "expired": "Această plată a expirat",
        "link_invalid": "Linkul acestei plăți nu este valid.",
        "not_open": "Această plată nu este deschisă în acest browser.",
        "mail_subject": "Codul tău de plată CCPro",
    },
    "de": {
        "accept": "ro-RO,ro;q=0.9,en;q=0.5",
        "landing": "0,5 ETH kaufen",
        "details": "Ihre Kontodaten",
        "code_invalid": "Der eingegebene Code ist ungültig.",
        "kyc": "Bestätigen Sie Ihre Identität",
        "phone_button": "Code per SMS senden",
        "payment": "Angebot und Zahlung",
        "bank_form": "Bankkonto in EUR hinzufügen",
        "iban_invalid": "Die IBAN ist ungültig.",
        "in_review": "Wartet auf Bestätigung",
        "quote_button": "Angebot anfordern",
        "pay_button": "Bestätigen und bezahlen",
        "thanks": "Vielen Dank!",
        "expired": "Dieser Bezahlvorgang ist abgelaufen",
        "link_invalid": "Der Link zu diesem Bezahlvorgang ist ungültig.",
        "not_open": "Dieser Bezahlvorgang ist in diesem Browser nicht geöffnet.",
        "mail_subject": "Ihr CCPro-Bezahlcode",
    },
}


def text(response) -> str:
    return response.content.decode()


def assert_in_language(response, language: str, *expected: str) -> str:
    body = text(response)
    assert response["Content-Language"] == language
    assert f'<html lang="{language}"' in body
    for words in expected:
        assert words in body, f"{words!r} not on the {language} page"
    return body


@pytest.mark.parametrize("language", ["ro", "de"])
def test_every_step_speaks_the_entry_urls_language_not_the_browsers(shop, language):
    platform, pem = shop
    words = WORDS[language]
    widget = Client(HTTP_ACCEPT_LANGUAGE=words["accept"])
    checkout, response = open_checkout(widget, platform, pem, old_payload(email="lang@example.com"), lang=language)
    url = f"/checkout/{checkout.public_id}"
    # The new account's own language (portal, mails): German is the widget's only.
    assert checkout.user.language == ("ro" if language == "ro" else "en")

    landing = widget.get(response["Location"])
    assert_in_language(landing, language, words["landing"])
    assert "Buy 0" not in text(landing)

    details = assert_in_language(page(widget, checkout), language, words["details"])
    assert "Your account details" not in details
    wrong = widget.post(f"{url}/details", {**DETAILS, "code": "ZZZZZZ"})
    assert wrong.status_code == 422
    assert "The selected Code is invalid." not in assert_in_language(wrong, language, words["code_invalid"])

    # The new account's verification mail is the accounts app's, in its languages (en, ro).
    code = re.search(r"(?:verification code is|verificare a emailului este): ([A-Z0-9]+)", mail.outbox[-1].body)
    code = code.group(1)
    assert widget.post(f"{url}/details", {**DETAILS, "code": code}).status_code == 302
    assert_in_language(page(widget, checkout), language, words["kyc"], words["phone_button"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        widget.post(f"{url}/kyc/phone", {"phone": "+40712345678"})
    sms_code = re.search(r"(\d{4,8})", sms_locmem.outbox[-1].body).group(1)
    widget.post(f"{url}/kyc/phone/verify", {"code": sms_code})

    assert_in_language(page(widget, checkout), language, words["payment"], words["bank_form"])
    bad = widget.post(f"{url}/bank", {"bank-bank_name": "ING", "bank-iban": "RO00NOPE", "bank-swift": BIC_RO})
    assert bad.status_code == 422
    assert "The iban is not a valid IBAN." not in assert_in_language(bad, language, words["iban_invalid"])
    widget.post(f"{url}/bank", {"bank-bank_name": "ING Bank", "bank-iban": IBAN_RO, "bank-swift": BIC_RO})
    assert_in_language(page(widget, checkout), language, words["in_review"])

    bank = Bank.objects.get(user=checkout.user)
    instrument_confirm(instrument=bank, staff=UserFactory(is_staff=True))
    assert_in_language(page(widget, checkout), language, words["quote_button"])
    widget.post(f"{url}/quote", {"payment_method": str(bank.pk)})
    assert_in_language(page(widget, checkout), language, words["pay_button"])
    widget.post(f"{url}/pay")
    assert_in_language(page(widget, checkout), language, words["thanks"])

    # A page of a checkout this browser did not open: in the language of the one it did.
    assert_in_language(widget.get("/checkout/NOTMINE1/"), language, words["not_open"])


@pytest.mark.parametrize("language", ["ro", "de"])
def test_refusals_expiry_and_the_mail_are_in_the_widgets_language(shop, language):
    platform, pem = shop
    words = WORDS[language]
    widget = Client(HTTP_ACCEPT_LANGUAGE=words["accept"])
    refused = widget.get(entry_url(platform, "not.a.jwt", lang=language))
    assert refused.status_code == 400
    assert_in_language(refused, language, words["link_invalid"])

    UserFactory(email="known@example.com")  # a CCPro user the platform is not linked to gets the checkout code
    checkout, _ = open_checkout(widget, platform, pem, old_payload(email="known@example.com"), lang=language)
    assert mail.outbox[-1].subject == words["mail_subject"]
    Checkout.objects.filter(pk=checkout.pk).update(status="expired")
    assert_in_language(page(widget, checkout), language, words["expired"])


def test_resuming_with_another_lang_switches_the_language(shop, widget):
    platform, pem = shop
    buyer(platform)
    payload = old_payload()
    checkout, _ = open_checkout(widget, platform, pem, payload, lang="de", landing="false")
    assert_in_language(page(widget, checkout), "de", WORDS["de"]["details"])
    widget.get(entry_url(platform, sign(payload, pem), lang="ro", landing="false"))
    assert_in_language(page(widget, checkout), "ro", WORDS["ro"]["details"])
    widget.get(entry_url(platform, sign(payload, pem), lang="xx", landing="false"))  # not offered: English
    assert_in_language(page(widget, checkout), "en", "Your account details")


def test_a_signed_in_portal_users_language_does_not_leak_into_the_widget(shop, widget):
    platform, pem = shop
    user = buyer(platform)
    user.language = "ro"
    user.save(update_fields=["language"])
    widget.force_login(user)
    checkout, _ = open_checkout(widget, platform, pem, old_payload(), lang="de", landing="false")
    assert_in_language(page(widget, checkout), "de", WORDS["de"]["details"])


# --- The catalogues -------------------------------------------------------------------------------------

WIDGET_TEMPLATES = sorted((ROOT / "templates" / "platforms" / "checkout").glob("*.html"))
WIDGET_MODULES = [
    "platforms/checkout.py",
    "platforms/checkout_views.py",
    "platforms/checkout_exceptions.py",
    "platforms/checkout_messages.py",
]
# The portal's bank and card forms the payment step shows (their labels and help texts).
FORM_MODULES = ["accounts/instrument_forms.py"]
WALLET_ONLY = {
    "Coin",
    "Address",
    "New name",
    "Your address on the coin's network. We check its format before saving it.",
    "Letters, numbers, dashes and underscores, e.g. my-ledger.",
}
GETTEXT_CALL = re.compile(r"\b(?:gettext|ngettext|pgettext)\(\s*u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext"}


def widget_msgids() -> set[str]:
    """Every string the widget marks for translation: its templates (as makemessages reads them) and modules."""
    found = set()
    for template in WIDGET_TEMPLATES:
        source = templatize(template.read_text(), origin=str(template))
        found |= {ast.literal_eval(literal) for literal in GETTEXT_CALL.findall(source)}
    for module in WIDGET_MODULES + FORM_MODULES:
        for node in ast.walk(ast.parse((ROOT / module).read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found - WALLET_ONLY


@pytest.mark.parametrize("language", ["ro", "de"])
def test_the_catalogue_translates_every_widget_string(language):
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    msgids = widget_msgids()
    assert len(msgids) > 150 and "Quote and payment" in msgids and "The iban is not a valid IBAN." in msgids
    missing = sorted(m for m in msgids if not (catalogue.get(m) or catalogue.get((m, 0))))
    assert not missing, f"translate these in locale/{language}/LC_MESSAGES/django.po: {missing}"


def test_the_committed_german_mo_is_the_compiled_po(tmp_path):
    """As for ro (tests/portal): the .mo is committed so running the site needs no gettext tools. Compiled under
    tmp_path, never into the source tree (parallel runs, a read-only checkout)."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    folder = ROOT / "locale" / "de" / "LC_MESSAGES"
    compiled = tmp_path / "check.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(folder / "django.po")], check=True)
    assert compiled.read_bytes() == (folder / "django.mo").read_bytes(), "run ./scripts/messages.sh compile"
