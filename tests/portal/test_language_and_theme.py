"""Language (en, ro) and theme of the portal: the user's options applied on each request, the switch on the
account page (`accounts.services.user_options_update`), and the committed translations."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import User
from accounts.services import user_options_update
from ccpro import errors

from .conftest import csrf_post, signed_in

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "ro" / "LC_MESSAGES"


def test_signed_in_pages_speak_the_users_language(web, user):
    signed_in(web, user)
    assert "Your account at a glance." in web.get("/dashboard").content.decode()
    user_options_update(user=user, language="ro")
    response = web.get("/dashboard")
    page = response.content.decode()
    assert '<html lang="ro"' in page and "Contul tău dintr-o privire." in page and "Portofele și carduri" in page
    assert response["Content-Language"] == "ro"
    assert "Portofele și metode de plată" in web.get("/wallets").content.decode()


def test_visitors_get_their_browsers_language_and_the_api_stays_in_english(web, api):
    assert "Bine ai revenit." in web.get("/login", HTTP_ACCEPT_LANGUAGE="ro-RO,ro;q=0.9").content.decode()
    assert "Welcome back." in web.get("/login", HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()
    response = api.post("/api/v1/authenticate", {}, format="json", HTTP_ACCEPT_LANGUAGE="ro")
    assert response.json()["errors"]["email"] == ["The email field is required."]


def test_the_language_does_not_leak_into_the_next_request(web, user, api):
    user_options_update(user=user, language="ro")
    signed_in(web, user)
    assert web.get("/dashboard")["Content-Language"] == "ro"
    assert translation.get_language() == settings.LANGUAGE_CODE  # Django keeps it per thread: switched back
    response = api.post("/api/v1/authenticate", {}, format="json")
    assert response.json()["errors"]["email"] == ["The email field is required."]


def test_switch_language_and_theme_on_the_account_page(web, user):
    signed_in(web, user)
    page = web.get("/account/close").content.decode()
    assert 'data-theme="light"' in page and 'data-testid="options-form"' in page
    response = csrf_post(web, "/account/options", {"language": "ro", "theme": "dark"})
    assert response.status_code == 302 and response["Location"] == "/account/close"
    user.refresh_from_db()
    assert (user.language, user.theme) == ("ro", "dark")
    page = web.get("/account/close").content.decode()
    assert 'data-theme="dark"' in page and "Preferințele tale au fost salvate." in page


def test_options_refused_with_the_api_wording_and_nothing_changes(web, user):
    signed_in(web, user)
    csrf_post(web, "/account/options", {"language": "fr", "theme": "sepia"})
    user.refresh_from_db()
    assert (user.language, user.theme) == ("en", "light")
    page = web.get("/account/close").content.decode()
    assert "The selected language is invalid." in page and "The selected theme is invalid." in page


def test_options_service_changes_only_what_is_given(user):
    user_options_update(user=user, theme="dark")
    assert User.objects.values_list("language", "theme").get(pk=user.pk) == ("en", "dark")
    with pytest.raises(errors.InvalidInput):
        user_options_update(user=user, language="xx", theme="light")
    assert User.objects.values_list("language", "theme").get(pk=user.pk) == ("en", "dark")


def test_committed_mo_matches_the_po(tmp_path):
    """The .mo is committed (no gettext needed to run the site); it must be the compiled current .po."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    compiled = tmp_path / "check.mo"  # never inside the source tree
    try:
        subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(LOCALE / "django.po")], check=True)
        with open(compiled, "rb") as fresh, open(LOCALE / "django.mo", "rb") as committed:
            expected = gettext.GNUTranslations(fresh)._catalog
            assert gettext.GNUTranslations(committed)._catalog == expected, "run ./scripts/messages.sh compile"
    finally:
        compiled.unlink(missing_ok=True)
