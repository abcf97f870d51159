import uuid

from .models import Platform, PlatformUserLink


def platform_get_active(*, platform_id) -> Platform | None:
    try:
        return Platform.objects.filter(pk=uuid.UUID(str(platform_id)), active=True).first()
    except ValueError:
        return None


def platform_links_for_user(*, user):
    return PlatformUserLink.objects.filter(user=user).select_related("platform").order_by("created_at")
