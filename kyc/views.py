"""Portal pages of KYC: the pages behind the signed links (`links` of the KYC object, the video cancel and
reschedule links) and the wizard a signed-in user sees.

A link page needs no session: the link itself (kyc/links.py, checked by `link_verify` on every GET and POST)
names the user and the step, until it expires. Each page validates with the API's input serializers and calls
the same services as the API, so the rules (423 when the step is not open, the daily upload limit, video slots)
and the messages are the same. Successful posts redirect back to the page (post/redirect/get); an upload sent
by the page's script (progress bar) gets JSON instead.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework import serializers

from accounts.models import User
from ccpro import errors
from ccpro.api.exception_handler import STATUS_BY_KIND
from ccpro.portal import login_required

from . import selectors, services
from .apis import DocumentInput, EddInput, KycAddressInput, VideoInput
from .levels import DOCUMENT_ITEMS_ORDER
from .links import PAGES, link_verify
from .selectors import EDD_CHOICES

LINK_PAGES = set(PAGES.values())  # address, documents, video, edd, video-cancel, video-reschedule
DOCUMENT_LABELS = {
    "governmentIdFront": gettext_lazy("Government ID (front)"),
    "governmentIdBack": gettext_lazy("Government ID (back)"),
    "passport": gettext_lazy("Passport"),
    "utilityBill": gettext_lazy("Utility bill"),
    "selfieWithId": gettext_lazy("Selfie with ID"),
    "extendedProofOfFunds": gettext_lazy("Proof of funds"),
}
# What the EDD page shows for each answer the API takes (the values sent stay the API's codes).
EDD_LABELS = {
    "remittances": gettext_lazy("Remittances"),
    "payments": gettext_lazy("Payments"),
    "investments": gettext_lazy("Investments"),
    "savings": gettext_lazy("Savings"),
    "other": gettext_lazy("Other"),
    "credit_debit_card": gettext_lazy("Credit or debit card"),
    "e_wallet": gettext_lazy("E-wallet"),
    "bank_account": gettext_lazy("Bank account"),
    "mining_wallet": gettext_lazy("Mining wallet"),
    "payroll_funds": gettext_lazy("Salary"),
    "dividends_of_business": gettext_lazy("Dividends of a business"),
    "personal_savings": gettext_lazy("Personal savings"),
    "proceeds_of_investments": gettext_lazy("Proceeds of investments"),
    "proceeds_of_mining": gettext_lazy("Proceeds of mining"),
}


def edd_choices() -> dict[str, list[tuple[str, str]]]:
    """EDD_CHOICES as (value, label) pairs: the value the API takes (the answer's code, or its 1-based position
    for the two ranges), the label in the page's language."""
    ranges = ("transactionsNatureValue", "transactionsNatureFrequency")
    return {
        name: [
            (str(position) if name in ranges else code, code if name in ranges else EDD_LABELS.get(code, code))
            for position, code in enumerate(codes, start=1)
        ]
        for name, codes in EDD_CHOICES.items()
    }


class LinkRefused(Exception):
    pass


def _link_user(request, page: str, token: str) -> User:
    if page not in LINK_PAGES:
        raise Http404()
    link = link_verify(page_slug=page, token=token, query=request.GET)
    user = None
    if link is not None:
        user = User.objects.filter(pk=link.user_id, is_active=True, closed_at__isnull=True).first()
    if user is None:
        raise LinkRefused()
    return user


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _form_data(request):
    data = request.POST.copy()
    for name, upload in request.FILES.items():
        data[name] = upload
    return data


def _validate(serializer_class, request) -> dict:
    serializer = serializer_class(data=_form_data(request))
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _submit(request, page: str, user: User) -> str:
    """Run the page's action; returns the success message."""
    action = request.POST.get("action", "submit")
    if page == "address":
        data = _validate(KycAddressInput, request)
        services.address_submit(
            user=user,
            country=data["country"],
            city=data["city"],
            zip_code=data["zip"],
            street=data["street"],
            utility_bill=data.get("utilityBill"),
        )
        return _("Your address was sent for review.")
    if page == "documents":
        data = _validate(DocumentInput, request)
        services.document_submit(user=user, kind=data.get("type"), upload=data["file"])
        return _("Your document was uploaded and sent for review.")
    if page == "edd":
        data = _validate(EddInput, request)
        source, origin = data.pop("fundsSourceFile"), data.pop("fundsOriginFile")
        services.edd_submit(user=user, answers=data, source_file=source, origin_file=origin)
        return _("Your answers were sent for review.")
    # video, video-reschedule, video-cancel
    if action == "cancel":
        services.video_cancel(user=user)
        return _("Your video call was cancelled.")
    data = _validate(VideoInput, request)
    services.video_schedule(user=user, when=data["date"])
    return _("Your video call is booked for %(when)s UTC.") % {"when": data["date"].strftime("%Y-%m-%d %H:%M")}


def _context(request, page: str, user: User, **extra) -> dict:
    kyc = selectors.kyc_detail(user=user)
    documents = [
        {"kind": kind, "label": DOCUMENT_LABELS[kind], **kyc["documents"][kind]} for kind in DOCUMENT_ITEMS_ORDER
    ]
    view = selectors.kyc_view(user=user, with_reasons=False)
    open_types = [kind for kind in [*DOCUMENT_ITEMS_ORDER, "extendedProofOfFunds"] if kind in view.open]
    context = {
        "page": page,
        "link_user": user,
        "kyc": kyc,
        "documents": documents,
        "document_types": [(kind, DOCUMENT_LABELS[kind]) for kind in open_types],
        "edd_choices": edd_choices(),
        "values": request.POST if request.method == "POST" else {},
        "errors": {},
        "error_message": "",
        "action_url": request.get_full_path(),
        "page_theme": _display(request),
    }
    if page.startswith("video"):
        context["slots"] = selectors.video_slots_available()
    context.update(extra)
    return context


def _template(page: str) -> str:
    return "kyc/link_video.html" if page.startswith("video") else f"kyc/link_{page}.html"


def _language(request) -> str:
    lang = str(request.GET.get("lang", ""))
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _display(request) -> str:
    """The link's `display` (light or dark, signed with the link like `lang`), as the checkout widget's: the page
    is drawn in the theme of whoever the link was made for, whoever (if anyone) is signed in here."""
    display = str(request.GET.get("display", ""))
    return display if display in User.Theme.values else User.Theme.LIGHT


@require_http_methods(["GET", "POST"])
def link_page(request, page: str, token: str):
    """One step of the KYC behind a signed link."""
    with translation.override(_language(request)):
        try:
            user = _link_user(request, page, token)
        except LinkRefused:
            if _wants_json(request):
                return JsonResponse({"message": _("This link is invalid or has expired.")}, status=403)
            return render(request, "kyc/link_invalid.html", {"page_theme": _display(request)}, status=403)
        if request.method == "GET":
            return render(request, _template(page), _context(request, page, user))
        try:
            done = _submit(request, page, user)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
            found = {
                field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for field, msgs in detail.items()
            }
            return _refused(request, page, user, 422, _("The given data was invalid."), found)
        except errors.DomainError as error:
            status = next(code for kind, code in STATUS_BY_KIND if isinstance(error, kind))
            return _refused(request, page, user, status, str(error.message), getattr(error, "errors", None) or {})
        messages.success(request, done)
        if _wants_json(request):
            return JsonResponse({"message": done, "redirect": request.get_full_path()})
        return redirect(request.get_full_path())


def _refused(request, page, user, status: int, message: str, found: dict):
    if _wants_json(request):
        return JsonResponse({"message": message, "errors": found}, status=status)
    context = _context(request, page, user, errors=found, error_message=message)
    return render(request, _template(page), context, status=status)


# --- The wizard of a signed-in user ----------------------------------------------------------------

STEPS = (
    ("phone", gettext_lazy("Phone number")),
    ("personal", gettext_lazy("Personal data")),
    ("address", gettext_lazy("Address")),
    ("documents", gettext_lazy("Identity documents")),
    ("video", gettext_lazy("Video identification")),
    ("enhancedDueDiligence", gettext_lazy("Enhanced due diligence")),
)


def _reasons(part: dict) -> list[str]:
    reason = part.get("rejectReason")
    if not reason:
        return []
    if "code" in reason and isinstance(reason.get("message"), str):
        return [reason["message"] or reason["code"]]
    return [f"{field}: {r.get('message') or r.get('code')}" for field, r in reason.items()]


@require_GET
@login_required
def wizard(request):
    """Every step of the signed-in user's KYC with its status, rejection reasons and, while it is open, the
    signed link to its page."""
    kyc = selectors.kyc_detail(user=request.user)
    steps = []
    for key, label in STEPS:
        if key == "phone":
            part = kyc["phone"]
            status = "ACCEPTED" if part["isVerified"] else ("PENDING" if part["number"] else "NOT COMPLETED")
            steps.append({"key": key, "label": label, "status": status, "required": part["required"]})
            continue
        part = kyc[key]
        reasons = _reasons(part)
        status = part.get("status") or "NOT COMPLETED"
        if key == "documents":
            docs = [(kind, kyc["documents"][kind]) for kind in DOCUMENT_ITEMS_ORDER]
            reasons = [f"{DOCUMENT_LABELS[k]}: {m}" for k, d in docs for m in _reasons(d)]
            statuses = {d["status"] for _k, d in docs}
            status = "PENDING" if "PENDING" in statuses else ("ACCEPTED" if "ACCEPTED" in statuses else status)
        steps.append(
            {
                "key": key,
                "label": label,
                "status": "REJECTED" if reasons else status,
                "required": part.get("required"),
                "reasons": reasons,
                "link": kyc["links"].get(key, ""),
            }
        )
    required = dict(STEPS).get(kyc["required"], kyc["required"])
    context = {"nav": "kyc", "kyc": kyc, "steps": steps, "documents": DOCUMENT_LABELS, "required": required}
    return render(request, "kyc/wizard.html", context)
