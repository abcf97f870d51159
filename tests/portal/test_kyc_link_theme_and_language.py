"""The KYC signed-link pages in the link's theme (`display`, signed with it) and language (`lang`), the wizard in
the user's; the user's options.theme on the other portal pages."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from kyc.links import link_build
from kyc.models import ItemKind, ItemStatus, KycItem
from tests.kyc.conftest import accept, image, reach_level, set_item

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def link_path(user, page):
    parts = urlsplit(link_build(user=user, page=page))
    return f"{parts.path}?{parts.query}"


def theme_of(page: str) -> str:
    return re.search(r'<html lang="(\w+)" data-theme="(\w+)"', page).group(2)


def _options(user, *, language="en", theme="light"):
    user.language, user.theme = language, theme
    user.save(update_fields=["language", "theme"])
    return user


def test_a_link_is_drawn_in_the_theme_and_language_it_was_made_with(user):
    reach_level(_options(user, language="ro", theme="dark"), 1)
    accept(user, ItemKind.PERSONAL, ItemKind.ADDRESS)
    url = link_path(user, "documents")
    assert "display=dark" in url and "lang=ro" in url
    page = Client().get(url).content.decode()
    assert re.search(r'<html lang="ro" data-theme="dark"', page)
    assert "Documentele tale" in page and "Pașaport" in page and "Act de identitate (față)" in page
    assert 'data-testid="doc-status-passport">NECOMPLETAT<' in page
    assert "Fișier (jpg, png, bmp sau pdf, până la 10 MB)" in page and "Încarcă" in page
    assert 'data-failed="Încărcarea a eșuat."' in page

    _options(user)  # a link made now: light and English
    page = Client().get(link_path(user, "documents")).content.decode()
    assert re.search(r'<html lang="en" data-theme="light"', page)
    assert "Your documents" in page and 'data-testid="doc-status-passport">NOT COMPLETED<' in page


def test_the_links_theme_wins_over_a_signed_in_users(user, other_user, web):
    reach_level(user, 1)
    light_link = link_path(user, "address")
    signed_in(web, _options(other_user, theme="dark"))
    assert theme_of(web.get("/dashboard").content.decode()) == "dark"
    assert theme_of(web.get(light_link).content.decode()) == "light"


def test_the_display_is_signed_and_an_invalid_link_keeps_the_theme(user):
    reach_level(_options(user, theme="light"), 1)
    url = link_path(user, "address")
    tampered = url.replace("display=light", "display=dark")
    response = Client().get(tampered)
    assert response.status_code == 403  # the display is part of what the signature covers
    assert theme_of(response.content.decode()) == "dark"  # the refusal page is still drawn as asked
    assert theme_of(Client().get(url.replace("display=light", "display=sepia")).content.decode()) == "light"


def test_address_link_in_romanian_with_its_messages(user):
    reach_level(_options(user, language="ro"), 1)
    url = link_path(user, "address")
    client = Client()
    page = client.get(url).content.decode()
    assert "Adresa ta" in page and "Țara (cod din 2 litere)" in page and "Strada și numărul" in page
    response = client.post(url, {"country": "ro", "city": "Cluj", "zip": "400001", "street": "Str. Mare 1"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Adresa ta a fost trimisă spre verificare." in page
    assert 'data-testid="step-status">ÎN VERIFICARE<' in page
    refused = client.post(url, {"country": "XX", "city": "Cluj", "zip": "1", "street": ""})
    assert refused.status_code in (422, 423) and "alert--error" in refused.content.decode()


def test_edd_link_shows_labels_and_sends_the_apis_codes(user):
    reach_level(_options(user, language="ro"), 3)
    url = link_path(user, "enhancedDueDiligence")
    page = Client().get(url).content.decode()
    assert '<option value="credit_debit_card">Card de credit sau de debit</option>' in page
    assert '<option value="payroll_funds">Salariu</option>' in page
    assert '<option value="2">1000 - 5000</option>' in page
    assert "Sursa fondurilor" in page and "Trimite răspunsurile" in page
    answers = {
        "transactionsPurpose": "investments",
        "transactionsNatureValue": "2",
        "transactionsNatureFrequency": "1",
        "fundsSource": "bank_account",
        "fundsOrigin": "payroll_funds",
    }
    response = Client().post(url, {**answers, "fundsSourceFile": image(), "fundsOriginFile": image()})
    assert response.status_code == 302
    item = KycItem.objects.get(user=user, kind=ItemKind.EDD)
    assert item.status == ItemStatus.PENDING and item.data["fundsSource"] == "bank_account"


def test_video_link_in_romanian(user):
    reach_level(_options(user, language="ro", theme="dark"), 2)
    accept(user, ItemKind.SELFIE_WITH_ID)
    page = Client().get(link_path(user, "video")).content.decode()
    assert theme_of(page) == "dark" and "Identificare video" in page
    assert "Programează un apel" in page and 'data-testid="step-status">NECOMPLETAT<' in page
    assert "Nu există niciun interval liber pentru apelul video" in page  # no staff has open slots here


def test_wizard_in_the_users_language_and_theme(user, web):
    reach_level(_options(user, language="ro", theme="dark"), 1)
    accept(user, ItemKind.PERSONAL)
    set_item(user, ItemKind.ADDRESS, ItemStatus.REJECTED, reasons={"street": "incorrect_data"})
    signed_in(web, user)
    page = web.get("/kyc").content.decode()
    assert theme_of(page) == "dark"
    assert "Număr de telefon" in page and 'data-testid="status-phone">ACCEPTAT<' in page
    assert 'data-testid="status-address">RESPINS<' in page and "Deschide acest pas" in page


def test_the_users_theme_on_every_portal_page(user, web):
    signed_in(web, _options(user, theme="dark"))
    for path in ("/dashboard", "/trade", "/orders", "/transfers", "/wallets", "/cards", "/notifications", "/kyc"):
        assert theme_of(web.get(path).content.decode()) == "dark", path
    assert theme_of(Client().get("/login").content.decode()) == "light"  # a visitor: the default


def test_dashboard_kyc_panel_statuses_in_the_users_language(user, web):
    signed_in(web, _options(user, language="ro"))
    page = web.get("/dashboard").content.decode()
    assert 'data-testid="kyc-status">Necompletat<' in page
    reach_level(user, 1)
    page = web.get("/dashboard").content.decode()
    assert re.search(r'class="badge badge--ok" data-testid="kyc-status">Acceptat<', page)
    _options(user)
    assert 'data-testid="kyc-status">Accepted<' in web.get("/dashboard").content.decode()
