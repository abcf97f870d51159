"""The checkout widget's pages (server-rendered). The entry URL opens the checkout and remembers it in the
browser session; every later page and form acts only on checkouts this session opened, through the services in
platforms/checkout.py. The entry link is not a proof of who holds it: past the account details, a session shows
and does nothing until it holds the proof of the email (PROVEN_SESSION_KEY; docs/decisions.md, Checkout)."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ccpro import errors
from ccpro.api.request import client_ip
from trading.payment_page import bank_confirm_url

from . import checkout as services
from . import checkout_selectors as selectors
from .checkout_exceptions import CheckoutProofNeeded
from .checkout_models import Checkout

SESSION_KEY = "checkouts"
PROVEN_SESSION_KEY = "checkouts_proven"  # the checkouts whose mailed code this session entered (or that it created
# for a user the platform vouches for)
SESSION_CHECKOUTS_KEPT = 20
LANGUAGE_SESSION_KEY = "checkout_language"  # of the last checkout opened, for its "not open here" page
LANGUAGES = ("en", "ro", "de")
DISPLAYS = ("light", "dark")
STATUS_OF = (
    (errors.InvalidInput, 422),
    (errors.Locked, 423),
    (errors.AlreadyGone, 410),
    (errors.StateConflict, 409),
    (errors.ActionForbidden, 403),
    (errors.PreconditionFailed, 412),
    (errors.OperationNotAllowed, 405),
    (errors.NotAcceptable, 406),
    (errors.RateLimited, 429),
    (errors.NotFound, 404),
)


def _language_of(request, public_id: str | None) -> str:
    """The widget's language for this request: the entry URL's `lang`; on a checkout's pages, the checkout's own
    (set from `lang` when it was opened or resumed), never the browser's Accept-Language or the portal user's."""
    if public_id is None:
        language = request.GET.get("lang", "en")
    elif public_id in request.session.get(SESSION_KEY, []):
        language = selectors.checkout_language(public_id=public_id)
    else:
        language = request.session.get(LANGUAGE_SESSION_KEY, "en")
    return language if language in LANGUAGES else "en"


def in_widget_language(view):
    """Run the whole view in the widget's language: its pages, and the messages its actions produce."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(_language_of(request, kwargs.get("public_id"))):
            return view(request, *args, **kwargs)

    return wrapped


def _status(error: errors.DomainError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 400)


def _page(request, template: str, context: dict, *, status: int = 200, language=None, display="light"):
    language = language or translation.get_language()
    language = language if language in LANGUAGES else "en"
    with translation.override(language):  # the partner's `lang`, not the browser's
        response = render(
            request,
            f"platforms/checkout/{template}",
            {"display": display, "language": language, **context},
            status=status,
        )
    response["Content-Language"] = language
    return response


def _error_page(request, error: errors.DomainError, *, language=None, display="light"):
    return _page(
        request,
        "error.html",
        {"message": error.message, "errors": error.errors or {}},
        status=_status(error),
        language=language,
        display=display,
    )


@require_GET
@in_widget_language
def checkout_entry(request):
    """`/checkout/?platform=<code>&token=<JWT>&lang=en|ro|de&display=light|dark&landing=true|false`."""
    language = request.GET.get("lang", "en")
    language = language if language in LANGUAGES else "en"
    display = request.GET.get("display", "light")
    display = display if display in DISPLAYS else "light"
    try:
        checkout = services.checkout_open(
            platform_code=request.GET.get("platform", ""),
            token=request.GET.get("token", ""),
            language=language,
            display=display,
            url=request.build_absolute_uri(),
            ip=client_ip(request),
        )
    except errors.DomainError as error:
        return _error_page(request, error, language=language, display=display)
    _remember(request, SESSION_KEY, checkout)
    request.session[LANGUAGE_SESSION_KEY] = checkout.language
    if checkout.created_now and checkout.identity_confirmed:
        _remember(request, PROVEN_SESSION_KEY, checkout)  # the platform's linked user, in the browser it sent
    elif not _proven(request, checkout):
        try:  # a code for this browser, unless one is still valid; the page says what is wrong otherwise
            services.checkout_code_send(checkout_id=checkout.pk)
        except errors.DomainError:
            pass
    target = reverse("checkout-page", args=[checkout.public_id])
    # landing=false skips the landing page (a partner that already explained the purchase).
    if request.GET.get("landing", "true") != "false" and checkout.step == Checkout.Step.ACCOUNT_DETAILS:
        target += "?landing=1"
    return HttpResponseRedirect(target)


def _remember(request, key: str, checkout: Checkout) -> None:
    kept = [pid for pid in request.session.get(key, []) if pid != checkout.public_id][-(SESSION_CHECKOUTS_KEPT - 1) :]
    request.session[key] = [*kept, checkout.public_id]


def _proven(request, checkout: Checkout) -> bool:
    """This session proved the email of the checkout's user (the code), or created it for a vouched user."""
    return checkout.public_id in request.session.get(PROVEN_SESSION_KEY, [])


def _proof_check(request, checkout: Checkout) -> None:
    """Past the account details (where the code is part of the form), nothing is shown or done for a session
    that has not proved the email: the entry link may be in other hands than the buyer's."""
    if checkout.step != Checkout.Step.ACCOUNT_DETAILS and not _proven(request, checkout):
        raise CheckoutProofNeeded()


def _checkout(request, public_id: str) -> Checkout | None:
    return selectors.checkout_for_session(public_id=public_id, allowed=request.session.get(SESSION_KEY, []))


def _not_found(request):
    return _error_page(request, errors.NotFound(_("This checkout is not open in this browser.")))


def _render_step(
    request, checkout: Checkout, *, error: errors.DomainError | None = None, extra=None, status: int | None = None
):
    """The page of the checkout's current step (with an error from the last action, if any)."""
    context = {
        "checkout": checkout,
        "platform": checkout.platform,
        "user": checkout.user,
        "error": error.message if error else "",
        "field_errors": (error.errors or {}) if error else {},
        **(extra or {}),
    }
    expired = checkout.status == Checkout.Status.EXPIRED or (checkout.is_open and checkout.expired_at <= _now())
    proven = _proven(request, checkout)
    if checkout.is_open and not expired:
        try:
            services.checkout_account_check(user=checkout.user)
        except errors.DomainError as problem:  # nothing of an inactive account is shown
            return _error_page(request, problem, language=checkout.language, display=checkout.display)
    if expired:
        template = "expired.html"
    elif checkout.step == Checkout.Step.THANK_YOU:
        template = "thank_you.html"
        # A purchase paid by bank transfer: where to send the money and upload the proof (its signed page).
        context["bank_confirm_url"] = bank_confirm_url(checkout.order) if checkout.order else None
    elif request.GET.get("landing") and checkout.step == Checkout.Step.ACCOUNT_DETAILS and error is None:
        template = "landing.html"
        context["value"] = services.checkout_value(checkout)
    elif checkout.step == Checkout.Step.ACCOUNT_DETAILS:
        template = "account_details.html"
        context["needs_code"] = not proven
        context["new_account"] = checkout.user.email_verified_at is None
        context["details"] = _details_shown(checkout, proven=proven)
    elif not proven:
        template = "proof.html"
        context["new_account"] = checkout.user.email_verified_at is None
    elif checkout.step == Checkout.Step.KYC:
        template = "kyc.html"
        try:
            context.update(_kyc_context(checkout))
        except errors.DomainError as problem:  # e.g. no current rate to value the purchase
            return _error_page(request, problem, language=checkout.language, display=checkout.display)
    else:
        template = "payment.html"
        context = {**_payment_context(checkout), **context}
        # Looks again by itself while one is in review and nothing is typed (not a form back with its errors).
        context["refresh"] = (
            context["in_review"]
            and not context["methods"]
            and not context["quote"]
            and not (context["bank_form"].is_bound or context["card_form"].is_bound)
        )
    status = status or (_status(error) if error else 200)
    return _page(request, template, context, status=status, language=checkout.language, display=checkout.display)


def _details_shown(checkout: Checkout, *, proven: bool) -> dict:
    """The account's name and birth date once this session proved the email (or the account is the new one the
    checkout made from the platform's data); before that only what the platform sent, never the account's."""
    user = checkout.user
    if proven or user.email_verified_at is None:
        return {"first_name": user.first_name, "last_name": user.last_name, "date_of_birth": user.date_of_birth}
    sent = checkout.payload.get("user") if isinstance(checkout.payload.get("user"), dict) else {}
    return {
        "first_name": str(sent.get("first_name") or "")[:191],
        "last_name": str(sent.get("last_name") or "")[:191],
        "date_of_birth": _date(str(sent.get("dob") or "")),
    }


def _now():
    from django.utils import timezone

    return timezone.now()


def _kyc_context(checkout: Checkout) -> dict:
    from kyc.selectors import kyc_summary

    check = services.kyc_check(checkout=checkout)
    summary = kyc_summary(user=checkout.user)
    return {
        "kyc": summary,
        "kyc_check": check,
        "value": services.checkout_value(checkout),
        "phone_needed": summary["phone"]["required"] and not summary["phone"]["isVerified"],
    }


def _payment_context(checkout: Checkout) -> dict:
    from accounts.instrument_forms import BankCreateForm, CardCreateForm
    from accounts.instruments_models import InstrumentStatus

    quote = checkout.quote
    live = quote is not None and quote.status == "available" and quote.expires_at > _now()
    instruments = selectors.checkout_instruments(checkout=checkout)
    return {
        "methods": [i for i in instruments if i.status == InstrumentStatus.CONFIRMED],
        "instruments": instruments,
        "in_review": any(i.status == InstrumentStatus.PENDING for i in instruments),
        "bank_form": BankCreateForm(prefix="bank"),
        "card_form": CardCreateForm(prefix="card"),
        "quote": quote if live else None,
        "quote_expired": quote is not None and not live,
        "attempts_left": checkout.attempts_limit - checkout.attempts_count,
    }


@require_GET
@in_widget_language
def checkout_page(request, public_id: str):
    checkout = _checkout(request, public_id)
    if checkout is None:
        return _not_found(request)
    return _render_step(request, checkout)


def _act(request, public_id: str, action, *, proof: bool = True):
    """Run one step's action for the session's checkout, then show its (new) current step. `proof`: the session
    must hold the proof of the email first (all but the actions that prove it)."""
    checkout = _checkout(request, public_id)
    if checkout is None:
        return _not_found(request)
    try:
        if proof:
            _proof_check(request, checkout)
        action(checkout)
    except errors.DomainError as error:
        checkout = _checkout(request, public_id)
        return _render_step(request, checkout, error=error)
    return HttpResponseRedirect(reverse("checkout-page", args=[public_id]))


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@require_POST
@in_widget_language
def checkout_details(request, public_id: str):
    def action(checkout):
        first, last = request.POST.get("first_name", "").strip(), request.POST.get("last_name", "").strip()
        dob = _date(request.POST.get("date_of_birth", ""))
        problems = {}
        if not first or len(first) > 191:
            problems["first_name"] = [_("The first name field is required.")]
        if not last or len(last) > 191:
            problems["last_name"] = [_("The last name field is required.")]
        if dob is None or dob >= date.today():
            problems["date_of_birth"] = [_("The date of birth is not a valid date.")]
        if problems:
            raise errors.InvalidInput(errors=problems)
        services.checkout_details_submit(
            checkout_id=checkout.pk,
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            code=request.POST.get("code", ""),
            proven=_proven(request, checkout),
            ip=client_ip(request),
        )
        _remember(request, PROVEN_SESSION_KEY, checkout)

    return _act(request, public_id, action)


@require_POST
@in_widget_language
def checkout_code_resend(request, public_id: str):
    def action(checkout):
        if not _proven(request, checkout):
            services.checkout_code_send(checkout_id=checkout.pk, again=True)

    return _act(request, public_id, action, proof=False)


@require_POST
@in_widget_language
def checkout_proof(request, public_id: str):
    """The mailed code, for a session that resumed the checkout past its account details."""

    def action(checkout):
        services.checkout_code_prove(checkout_id=checkout.pk, code=request.POST.get("code", ""), ip=client_ip(request))
        _remember(request, PROVEN_SESSION_KEY, checkout)

    return _act(request, public_id, action, proof=False)


@require_POST
@in_widget_language
def checkout_phone(request, public_id: str):
    return _act(
        request, public_id, lambda c: services.checkout_phone_add(checkout_id=c.pk, phone=request.POST.get("phone", ""))
    )


@require_POST
@in_widget_language
def checkout_phone_verify(request, public_id: str):
    return _act(
        request,
        public_id,
        lambda c: services.checkout_phone_verify(checkout_id=c.pk, code=request.POST.get("code", "")),
    )


@require_POST
@in_widget_language
def checkout_kyc_continue(request, public_id: str):
    return _act(request, public_id, lambda c: services.checkout_kyc_continue(checkout_id=c.pk))


@require_POST
@in_widget_language
def checkout_quote(request, public_id: str):
    def action(checkout):
        services.checkout_quote_new(checkout_id=checkout.pk, payment_method_id=request.POST.get("payment_method", ""))

    return _act(request, public_id, action)


def _instrument_add(request, public_id: str, *, form, add):
    """Add a bank or card with the portal's form (the API's input rules) and the accounts service; a refusal is
    shown on the form, on the payment page."""
    checkout = _checkout(request, public_id)
    if checkout is None:
        return _not_found(request)
    try:  # before the form's messages
        _proof_check(request, checkout)
        services.checkout_step_check(checkout=checkout, step=Checkout.Step.PAYMENT)
    except errors.DomainError as error:
        return _render_step(request, checkout, error=error)
    if form.is_valid():
        try:
            add(checkout, form.validated)
        except errors.DomainError as error:
            if not error.errors:
                return _render_step(request, _checkout(request, public_id), error=error)
            form.add_domain_error(error)
        else:
            return HttpResponseRedirect(reverse("checkout-page", args=[public_id]) + "#instruments")
    name = "bank_form" if form.prefix == "bank" else "card_form"
    return _render_step(request, _checkout(request, public_id), extra={name: form}, status=422)


@require_POST
@in_widget_language
def checkout_bank(request, public_id: str):
    from accounts.instrument_forms import BankCreateForm

    def add(checkout, data):
        services.checkout_bank_add(
            checkout_id=checkout.pk, bank_name=data["bankName"], iban=data["iban"].compact, swift=data["swift"].compact
        )

    checkout = _checkout(request, public_id)
    posted = request.POST.copy()
    # The account must be in the checkout's currency: it is not asked, it is the checkout's fiat.
    posted["bank-currency"] = checkout.fiat if checkout else ""
    return _instrument_add(request, public_id, form=BankCreateForm(posted, prefix="bank"), add=add)


@require_POST
@in_widget_language
def checkout_card(request, public_id: str):
    from accounts.instrument_apis import card_fields
    from accounts.instrument_forms import CardCreateForm

    def add(checkout, data):
        services.checkout_card_add(checkout_id=checkout.pk, **card_fields(data))

    form = CardCreateForm(request.POST, request.FILES, prefix="card")
    return _instrument_add(request, public_id, form=form, add=add)


@require_POST
@in_widget_language
def checkout_pay(request, public_id: str):
    return _act(request, public_id, lambda c: services.checkout_pay(checkout_id=c.pk))


@require_http_methods(["GET"])
@in_widget_language
def checkout_return(request, public_id: str):
    """The thank-you page's way back to the partner (its redirect_url)."""
    checkout = _checkout(request, public_id)
    if checkout is None:
        return _not_found(request)
    if checkout.redirect_url and checkout.status in (Checkout.Status.FINISHED, Checkout.Status.EXPIRED):
        return HttpResponseRedirect(checkout.redirect_url)
    return HttpResponseRedirect(reverse("checkout-page", args=[public_id]))
