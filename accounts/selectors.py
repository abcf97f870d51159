from functools import lru_cache

import phonenumbers
import pycountry
from django.utils import timezone

from .models import AccessToken, SecurityEvent, User

SECURITY_LOG_LIMIT = 100


def security_event_list(*, user: User):
    """The newest entries of the user's security log."""
    return SecurityEvent.objects.filter(user=user).order_by("-created_at", "-id")[:SECURITY_LOG_LIMIT]


def access_token_list(*, user: User):
    """The user's live tokens, newest first."""
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-created_at"
    )


@lru_cache(maxsize=1)
def country_list() -> tuple[dict, ...]:
    """ISO 3166-1 countries (pycountry) with their international dialling code (phonenumbers), by name."""
    countries = []
    for country in pycountry.countries:
        countries.append(
            {
                "code": country.alpha_2,
                "name": getattr(country, "common_name", None) or country.name,
                "phoneCode": phonenumbers.country_code_for_region(country.alpha_2),
            }
        )
    return tuple(sorted(countries, key=lambda c: c["name"]))


def country_codes() -> frozenset[str]:
    return frozenset(c["code"] for c in country_list())


def user_self_delete_pending(*, user: User) -> bool:
    """Whether the user asked to close the account and the grace period is running."""
    return user.self_deleted_at is not None and user.closed_at is None
