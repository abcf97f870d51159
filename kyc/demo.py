"""KYC demo data: users at several levels, a compliance officer and a support staff account, video slots."""

import io
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.staff_otp import staff_totp_demo_line
from platforms.services import platform_user_link

from . import services
from .models import ItemKind, KycItem, StaffAvailability

PASSWORD = "ccpro-demo-1234"
OFFICER = ("compliance@ccpro.local", "ccpro-compliance-demo")
SUPPORT = ("support@ccpro.local", "ccpro-support-demo")
USERS = [
    ("kyc0@ccpro.local", "Ioana", "Marin", 0),  # level 0, personal data and passport awaiting review
    ("kyc1@ccpro.local", "Victor", "Stan", 1),  # phone verified
    ("kyc2@ccpro.local", "Elena", "Dinu", 2),  # documents accepted
]


def _image(color):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), color=color).save(buffer, format="PNG")
    return SimpleUploadedFile("document.png", buffer.getvalue(), content_type="image/png")


def _staff(email, password, group, first):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            password,
            first_name=first,
            last_name="Staff",
            is_staff=True,
            is_active=True,
            email_verified_at=timezone.now(),
        )
    user.groups.add(Group.objects.get(name=group))
    return user


def _decide(officer, user, kinds):
    for item in KycItem.objects.filter(user=user, kind__in=kinds, status="PENDING"):
        services.item_accept(item=item, staff=officer)


def seed() -> list[str]:
    officer = _staff(*OFFICER, "Compliance officer", "Carmen")
    support = _staff(*SUPPORT, "Support", "Sorin")
    start = (timezone.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    for day in range(5):
        begins = start + timedelta(days=day)
        StaffAvailability.objects.get_or_create(staff=officer, starts_at=begins, ends_at=begins + timedelta(hours=8))
    lines = [
        f"compliance officer (admin, decides KYC): {OFFICER[0]} / {OFFICER[1]}",
        staff_totp_demo_line(officer),
        f"support staff (admin, read-only KYC): {SUPPORT[0]} / {SUPPORT[1]}",
        staff_totp_demo_line(support),
    ]
    for n, (email, first, last, level) in enumerate(USERS):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                PASSWORD,
                first_name=first,
                last_name=last,
                date_of_birth=date(1988, 3, 14),
                is_active=True,
                email_verified_at=timezone.now(),
            )
            platform_user_link(user=user)
            services.personal_data_submit(user=user, first_name=first, last_name=last, date_of_birth=date(1988, 3, 14))
            services.document_submit(user=user, kind="passport", upload=_image((40, 90 + 40 * n, 160)))
            if level >= 1:
                user.phone = f"4072211100{n}"
                user.save(update_fields=["phone"])
                item, _ = KycItem.objects.get_or_create(user=user, kind=ItemKind.PHONE)
                item.user = user
                services._transition(item, "PENDING", actor=user, action="submitted", data={"phone": user.phone})
                services._transition(item, "ACCEPTED", actor=user, action="verified by SMS code (demo)")
            if level >= 2:
                services.address_submit(
                    user=user,
                    country="RO",
                    city="Pitesti",
                    zip_code="110001",
                    street="Str. Victoriei 10",
                    utility_bill=_image((200, 180, 60)),
                )
                _decide(officer, user, [ItemKind.PERSONAL, ItemKind.ADDRESS, ItemKind.PASSPORT, ItemKind.UTILITY_BILL])
            services.kyc_state_recompute(user=user)
        lines.append(f"KYC level {level} user: {email} / {PASSWORD}  id {user.pk}")
    return lines
