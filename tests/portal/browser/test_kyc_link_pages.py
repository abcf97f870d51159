"""A KYC signed-link page in a real browser: the documents page uploads with its progress bar."""

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from kyc.links import link_build
from kyc.models import ItemKind, ItemStatus, KycItem
from tests.factories import UserFactory
from tests.kyc.conftest import accept, reach_level

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_file(tmp_path):
    path = tmp_path / "passport.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), color=(30, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_documents_link_uploads_a_passport_with_progress_and_refuses_a_bad_file(portal, tmp_path):
    user = UserFactory(email="kyc-link@example.com")
    reach_level(user, 1)
    accept(user, ItemKind.PERSONAL, ItemKind.ADDRESS)
    parts = urlsplit(link_build(user=user, page="documents"))
    portal.goto(f"{parts.path}?{parts.query}")  # no session: the signed link is the authorization
    expect(portal.get_by_role("heading", name="Your documents")).to_be_visible()
    expect(portal.get_by_test_id("doc-status-passport")).to_have_text("NOT COMPLETED")

    bad = tmp_path / "fake.png"
    bad.write_bytes(b"this is not an image")
    portal.get_by_label("Document").select_option("passport")
    portal.get_by_label("File (jpg, png, bmp or pdf, up to 10 MB)").set_input_files(str(bad))
    portal.get_by_role("button", name="Upload").click()
    expect(portal.locator("[data-upload-error]")).to_contain_text("The given data was invalid.")
    assert not KycItem.objects.filter(user=user, kind=ItemKind.PASSPORT).exists()

    portal.get_by_label("File (jpg, png, bmp or pdf, up to 10 MB)").set_input_files(str(png_file(tmp_path)))
    portal.get_by_role("button", name="Upload").click()
    expect(portal.get_by_text("Your document was uploaded and sent for review.")).to_be_visible()
    expect(portal.get_by_test_id("doc-status-passport")).to_have_text("PENDING")
    expect(portal.get_by_test_id("upload-progress")).to_be_hidden()  # a fresh page after the upload
    screenshot(portal, "kyc_documents_link")
    assert KycItem.objects.get(user=user, kind=ItemKind.PASSPORT).status == ItemStatus.PENDING


def test_documents_link_in_romanian_with_the_dark_theme(portal, tmp_path):
    user = UserFactory(email="kyc-ro@example.com", language="ro", theme="dark")
    reach_level(user, 1)
    accept(user, ItemKind.PERSONAL, ItemKind.ADDRESS)
    parts = urlsplit(link_build(user=user, page="documents"))
    portal.goto(f"{parts.path}?{parts.query}")
    expect(portal.locator("html")).to_have_attribute("data-theme", "dark")
    expect(portal.locator("html")).to_have_attribute("lang", "ro")
    # The dark palette is applied, not just the attribute: the page background is dark.
    background = portal.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 18, 32)", background
    expect(portal.get_by_role("heading", name="Documentele tale")).to_be_visible()
    expect(portal.get_by_test_id("doc-status-passport")).to_have_text("NECOMPLETAT")
    portal.get_by_label("Document", exact=True).select_option("passport")
    portal.get_by_label("Fișier (jpg, png, bmp sau pdf, până la 10 MB)").set_input_files(str(png_file(tmp_path)))
    portal.get_by_role("button", name="Încarcă").click()
    expect(portal.get_by_text("Documentul tău a fost încărcat și trimis spre verificare.")).to_be_visible()
    expect(portal.get_by_test_id("doc-status-passport")).to_have_text("ÎN VERIFICARE")
    assert KycItem.objects.get(user=user, kind=ItemKind.PASSPORT).status == ItemStatus.PENDING
