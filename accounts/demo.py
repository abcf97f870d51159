"""Demo users for `manage.py demo_seed`: a staff superuser, a verified user, an unverified one."""

from django.utils import timezone

from platforms.services import platform_user_link

from .models import User
from .staff_otp import staff_totp_demo_line

STAFF = ("admin@ccpro.local", "ccpro-admin-demo")
VERIFIED = ("demo@ccpro.local", "ccpro-demo-1234")
UNVERIFIED = ("pending@ccpro.local", "ccpro-demo-1234")


def seed() -> list[str]:
    lines = []
    staff = User.objects.filter(email=STAFF[0]).first()
    if staff is None:
        staff = User.objects.create_superuser(STAFF[0], STAFF[1], first_name="Compliance", last_name="Officer")
    lines.append(f"staff (admin at /admin/): {STAFF[0]} / {STAFF[1]}")
    lines.append(staff_totp_demo_line(staff))
    for (email, password), verified, names in (
        (VERIFIED, True, ("Ana", "Popescu")),
        (UNVERIFIED, False, ("Mihai", "Ionescu")),
    ):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                password,
                first_name=names[0],
                last_name=names[1],
                is_active=verified,
                email_verified_at=timezone.now() if verified else None,
            )
            platform_user_link(user=user)
        state = "verified" if verified else "email not verified"
        lines.append(f"user ({state}): {email} / {password}  id {user.pk}")
    return lines
