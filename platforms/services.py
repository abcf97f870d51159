from django.db import transaction

from .models import DEFAULT_PLATFORM_CODE, Platform, PlatformUserLink


def default_platform() -> Platform:
    platform, _ = Platform.objects.get_or_create(
        code=DEFAULT_PLATFORM_CODE, defaults={"name": "CryptoCoin", "base_url": "https://app.cryptocoin.pro/"}
    )
    return platform


@transaction.atomic
def platform_user_link(*, user, platform: Platform | None = None, external: dict | None = None) -> PlatformUserLink:
    """Link a user to the platform they came through (the house platform when none)."""
    external = external or {}
    link, _ = PlatformUserLink.objects.get_or_create(
        platform=platform or default_platform(),
        user=user,
        defaults={
            "external_user_id": external.get("userId", "") or "",
            "email": external.get("email", "") or "",
            "username": external.get("username", "") or "",
            "referral_id": external.get("referralId", "") or "",
        },
    )
    return link
