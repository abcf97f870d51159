"""Template filters of the KYC pages: a step's status in the page's language (the API's values stay English)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "NOT COMPLETED": _("NOT COMPLETED"),
    "PENDING": _("PENDING"),
    "ACCEPTED": _("ACCEPTED"),
    "APPROVED": _("APPROVED"),
    "REJECTED": _("REJECTED"),
    "VERIFIED": _("VERIFIED"),
}


@register.filter
def kyc_status(value) -> str:
    """`PENDING` → `ÎN VERIFICARE` in Romanian; an unknown value is shown as it is."""
    return STATUS_LABELS.get(str(value or ""), value)
