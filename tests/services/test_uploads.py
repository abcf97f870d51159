import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ccpro import errors
from ccpro.uploads.services import stored_file_create

from ..conftest import client_for, staff_login
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(32, 20), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=1 if mode == "1" else (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name, data, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_image_stored_privately_under_random_name(user, settings):
    stored = stored_file_create(owner=user, upload=upload("card.png", png_bytes()), field="cardImage1", purpose="card")
    assert stored.content_type == "image/png"
    assert "card" not in stored.file.name and stored.file.name.startswith("private/")
    assert not stored.file.name.startswith(settings.STATIC_URL)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("fake.png", b"this is not an image at all"),
        ("truncated.png", png_bytes()[:60]),
        ("doc.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF"),
        ("script.png", b"<script>alert(1)</script>"),
    ],
)
def test_non_images_refused_whatever_the_extension(user, name, data):
    with pytest.raises(errors.InvalidInput) as refused:
        stored_file_create(owner=user, upload=upload(name, data), field="cardImage1", purpose="card")
    assert refused.value.errors == {"cardImage1": ["The card image1 must be a file of type: jpg, jpeg, bmp, png."]}


def test_pdf_accepted_only_where_allowed(user):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    stored = stored_file_create(
        owner=user, upload=upload("bill.pdf", pdf, "application/pdf"), field="file", purpose="kyc", allow_pdf=True
    )
    assert stored.content_type == "application/pdf"


def test_decompression_bomb_refused(user):
    bomb = png_bytes(size=(10_000, 10_000), mode="1")  # 100 Mpx in a small file
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(errors.InvalidInput):
        stored_file_create(owner=user, upload=upload("bomb.png", bomb), field="file", purpose="kyc")


def test_size_limit(user, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(errors.InvalidInput) as refused:
        stored_file_create(owner=user, upload=upload("big.png", png_bytes((64, 64))), field="file", purpose="kyc")
    assert "may not be greater than" in refused.value.errors["file"][0]


def test_download_only_by_owner_and_staff(user, other_user, client):
    stored = stored_file_create(owner=user, upload=upload("card.png", png_bytes()), field="f", purpose="card")
    url = f"/files/{stored.pk}"
    owner = client_for(user).get(url)
    assert owner.status_code == 200 and owner["Content-Type"] == "image/png"
    assert b"".join(owner.streaming_content) == stored.file.open("rb").read()
    assert client_for(other_user).get(url).status_code == 404
    assert client.get(url).status_code == 404
    staff = UserFactory(is_staff=True)
    assert client_for(staff).get(url).status_code == 404  # staff need their second factor, not a token
    client.force_login(staff)
    assert client.get(url).status_code == 404
    staff_login(client, staff)
    assert client.get(url).status_code == 200
    assert client.get("/files/999999").status_code == 404
