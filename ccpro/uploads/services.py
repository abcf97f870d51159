"""Accepting an upload: size limit, real type detection, decompression-bomb guard, random private name."""

import hashlib
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from ccpro import errors
from ccpro.api.validation import display_name

from .models import StoredFile

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "BMP": ("bmp", "image/bmp")}
PDF = ("pdf", "application/pdf")
# Pillow's own bomb limit is ~89 Mpx with a warning; a document photo never needs more than 40 Mpx.
MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class DetectedType:
    extension: str
    content_type: str


def _invalid(field: str, message: str) -> errors.InvalidInput:
    return errors.InvalidInput(errors={field: [message.format(attr=display_name(field))]})


def _detect_image(data: bytes) -> DetectedType | None:
    from io import BytesIO

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS:
                    return None
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return None
                image.verify()  # structural check of the whole file
            with Image.open(BytesIO(data)) as image:
                image.load()  # and a full decode: truncated or corrupt data fails here
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    except Exception:  # noqa: BLE001 - anything Pillow cannot decode is not an image
        return None
    if _has_trailing_data(data, image.format):
        return None
    extension, content_type = IMAGE_FORMATS[image.format]
    return DetectedType(extension, content_type)


def _png_end(data: bytes) -> int | None:
    """Offset just past the IEND chunk, walking the chunks (Pillow ignores what follows IEND)."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Offset just past the EOI marker: segments are skipped by length, entropy-coded data scanned for markers
    (0xFF00 stuffing, RSTn and fill bytes are data; anything else is a marker)."""
    pos, size = 2, len(data)
    while pos + 1 < size:
        if data[pos] != 0xFF:
            pos += 1  # entropy-coded data
            continue
        marker = data[pos + 1]
        if marker == 0xD9:
            return pos + 2
        if marker in (0x00, 0xFF) or 0xD0 <= marker <= 0xD7:
            pos += 1 if marker == 0xFF else 2
            continue
        if pos + 4 > size:
            return None
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def _has_trailing_data(data: bytes, image_format: str) -> bool:
    """Bytes after the image's end (an HTML or script payload appended to a valid image) refuse the file."""
    if image_format == "PNG":
        end = _png_end(data)
    elif image_format == "JPEG":
        end = _jpeg_end(data)
    else:  # BMP: the header states the file size
        declared = int.from_bytes(data[2:6], "little")
        end = declared if declared else len(data)
    return end is None or len(data.rstrip(b"\x00")) > end


def _detect_pdf(data: bytes) -> DetectedType | None:
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return DetectedType(*PDF)
    return None


def stored_file_create(*, owner, upload, field: str, purpose: str, allow_pdf: bool = False) -> StoredFile:
    """Validate `upload` (a Django UploadedFile) by its content and store it privately."""
    if upload is None or not hasattr(upload, "read"):
        raise _invalid(field, "The {attr} must be a file.")
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise _invalid(field, f"The {{attr}} may not be greater than {settings.UPLOAD_MAX_BYTES // 1024} kilobytes.")
    data = upload.read()
    detected = _detect_image(data) or (_detect_pdf(data) if allow_pdf else None)
    if detected is None:
        kinds = "jpg, jpeg, bmp, png" + (", pdf" if allow_pdf else "")
        raise _invalid(field, f"The {{attr}} must be a file of type: {kinds}.")
    name = f"{secrets.token_hex(16)}.{detected.extension}"
    stored = StoredFile(
        owner=owner,
        purpose=purpose,
        content_type=detected.content_type,
        size=len(data),
        original_name=(getattr(upload, "name", "") or "")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
    )
    stored.file.save(name, ContentFile(data), save=False)
    stored.save()
    return stored
