import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kyc.models import ItemKind, ItemStatus, KycItem, StaffAvailability
from kyc.services import _transition, kyc_state_recompute

from ..factories import UserFactory


def png_bytes(size=(40, 24), color=(20, 90, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color=color).save(buffer, format="PNG")
    return buffer.getvalue()


def image(name="doc.png", data=None):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type="image/png")


def pdf(name="bill.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n", content_type="application/pdf"
    )


def path(user, suffix=""):
    return f"/api/v1/user/{user.pk}/kyc{suffix}"


def set_item(user, kind, status, *, reasons=None, data=None):
    """Put an item in a status directly through the transition table (as the workflow would)."""
    item, _ = KycItem.objects.get_or_create(user=user, kind=kind)
    item.user = user
    if status == ItemStatus.NOT_COMPLETED:
        return item
    if item.status != ItemStatus.PENDING:
        _transition(item, ItemStatus.PENDING, actor=user, action="submitted", data=data)
    if status in (ItemStatus.ACCEPTED, ItemStatus.REJECTED):
        _transition(item, status, actor=None, action=status.lower(), reasons=reasons)
    kyc_state_recompute(user=user)
    return item


def accept(user, *kinds):
    for kind in kinds:
        set_item(user, kind, ItemStatus.ACCEPTED)


LEVEL_ITEMS = {
    1: [ItemKind.PHONE],
    2: [ItemKind.PERSONAL, ItemKind.ADDRESS, ItemKind.PASSPORT, ItemKind.UTILITY_BILL],
    3: [ItemKind.SELFIE_WITH_ID, ItemKind.VIDEO],
    4: [ItemKind.EDD],
    5: [ItemKind.EXTENDED_PROOF_OF_FUNDS],
}


def reach_level(user, level):
    for number in range(1, level + 1):
        accept(user, *LEVEL_ITEMS[number])


@pytest.fixture
def officer(db):
    staff = UserFactory(is_staff=True, email="officer@example.com")
    staff.groups.add(Group.objects.get(name="Compliance officer"))
    return staff


@pytest.fixture
def support(db):
    staff = UserFactory(is_staff=True, email="support@example.com")
    staff.groups.add(Group.objects.get(name="Support"))
    return staff


@pytest.fixture
def availability(officer):
    start = (timezone.now() + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    return StaffAvailability.objects.create(staff=officer, starts_at=start, ends_at=start + timedelta(hours=8))
