"""Portal pages of trading: buy / sell / withdraw (price preview, quote with its countdown, confirmation into an
order), the orders list and order page (payment instructions, proof of payment, status history), deposits
(address with a QR code, txId declaration) and transfers (send, request, confirm, refuse).

Thin like `order_apis.py` and `transfer_apis.py`, and calling the same code: the forms validate with the API's
input serializers, the writes are the `orders` / `transfers` services, the reads the selectors. A refusal of a
service is shown next to its field or on top of the page; another user's id is simply not found.
"""

import uuid
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from accounts.models import InstrumentStatus
from accounts.selectors import bank_list, card_list, wallet_list
from ccpro import errors
from ccpro.api.exception_handler import STATUS_BY_KIND
from ccpro.api.request import client_ip
from ccpro.portal import login_required

from . import order_selectors, orders, payment_page, portal_forms, pricing, transfer_selectors, transfers
from .apis import price_body
from .models import Operation
from .order_models import Order
from .transfer_models import Transfer

PRICE_KINDS = ("buy", "sell", "withdraw", "withdraw-ico")


def _render(request, template: str, context: dict, *, status: int = 200):
    return render(request, f"trading/{template}", {"nav": "trade", **context}, status=status)


def status_of(error: errors.DomainError) -> int:
    """The status the API answers this refusal with (ccpro.api.exception_handler's mapping)."""
    return next(code for kind, code in STATUS_BY_KIND if isinstance(error, kind))


def _refusal(request, error: errors.DomainError) -> None:
    for message in [m for field in (error.errors or {}).values() for m in field] or [error.message]:
        messages.error(request, message)


def _confirmed_instruments(user) -> list[tuple]:
    confirmed = InstrumentStatus.CONFIRMED
    return [
        *[(b.pk, f"{_('Bank')}: {b.bank_name} ({b.currency})") for b in bank_list(user=user, status=confirmed)],
        *[(c.pk, f"{_('Card')}: {c.alias}") for c in card_list(user=user, status=confirmed)],
    ]


def _confirmed_wallets(user) -> list[tuple]:
    return [
        (w.pk, f"{w.alias} ({w.asset.symbol}): {w.address}")
        for w in wallet_list(user=user, status=InstrumentStatus.CONFIRMED)
    ]


# --- Buy / sell / withdraw ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def trade(request):
    choices = {"instruments": _confirmed_instruments(request.user), "wallets": _confirmed_wallets(request.user)}
    if request.method == "GET":
        initial = {k: request.GET[k] for k in ("operation", "symbol", "payment_symbol") if request.GET.get(k)}
        form = portal_forms.QuoteForm(initial=initial, **choices)
        return _render(request, "trade.html", {"form": form})
    form = portal_forms.QuoteForm(request.POST, **choices)
    if form.is_valid():
        data = form.validated
        try:
            quote = orders.quote_create(
                user=request.user,
                type=data["type"],
                order_type=data["orderType"],
                order_amount=data["orderAmount"],
                order_symbol=data["orderSymbol"],
                payment_symbol=data.get("orderPaymentSymbol") or None,
                payment_method_id=data.get("orderPaymentMethod"),
                payment_type=data.get("orderPaymentType") or None,
                wallet=data.get("wallet") or None,
                second_order_type=data.get("secondOrderType") or None,
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("trading:quote", quote=quote.pk)
    return _render(request, "trade.html", {"form": form}, status=422)


@require_GET
@login_required
def price_preview(request, kind: str, from_symbol: str, to_symbol: str):
    """What the API's price endpoint answers (`pricing.price_get`, `price_body`), for the trade form's preview."""
    if kind not in PRICE_KINDS:
        return JsonResponse({"message": "No query results."}, status=404)
    params = request.GET
    try:
        price = pricing.price_get(
            user=request.user,
            kind=kind,
            from_symbol=from_symbol,
            to_symbol=to_symbol,
            from_amount=params.get("from_amount") or None,
            to_amount=params.get("to_amount") or None,
            payment_type=params.get("payment_type") or None,
        )
    except errors.DomainError as error:
        body = {"message": error.message}
        if error.errors:
            body["errors"] = error.errors
        return JsonResponse(body, status=status_of(error))
    return JsonResponse({"data": price_body(price)})


def _quote_or_404(user, quote_id):
    try:
        return order_selectors.quote_get(user=user, quote_id=quote_id)
    except errors.DomainError:
        raise Http404() from None


@require_http_methods(["GET", "POST"])
@login_required
def quote_page(request, quote):
    found = _quote_or_404(request.user, quote)
    if request.method == "POST":
        try:
            order = orders.quote_confirm(user=request.user, quote_id=found.pk)
        except errors.DomainError as error:
            _refusal(request, error)
            found = _quote_or_404(request.user, quote)
            return _render(request, "quote.html", {"quote": found}, status=status_of(error))
        messages.success(request, _("Quote confirmed: order %(id)s is open.") % {"id": order.public_id})
        return redirect("trading:order", order=order.pk)
    order = getattr(found, "order", None) if found.status == found.Status.COMPLETED else None
    return _render(request, "quote.html", {"quote": found, "order": order})


# --- Orders ---------------------------------------------------------------------------------------


@require_GET
@login_required
def order_list(request):
    status = request.GET.get("status") or None
    if status not in (None, *Order.Status.values):
        status = None
    qs = order_selectors.order_list(user=request.user, status=status)
    try:
        items, meta = order_selectors.page_of(
            qs, page=request.GET.get("page"), per_page=25, relations=order_selectors.with_order_relations
        )
    except errors.NotFound:  # a page that is not a number, as the API answers it
        raise Http404() from None
    context = {"orders": items, "meta": meta, "status": status or "", "statuses": Order.Status.values}
    return _render(request, "orders.html", {**context, "nav": "trade"})


def _order_or_404(user, order_id):
    try:
        return order_selectors.order_get(user=user, order_id=order_id)
    except errors.DomainError:
        raise Http404() from None


def _order_page(request, order, *, form=None, status=200):
    bank_transfer = payment_page.bank_confirm_carried(order)  # the one rule of "takes a bank transfer proof"
    proof_needed = bank_transfer and order.status == Order.Status.PAYMENT_WAITING and order.proof_id is None
    context = {
        "order": order,
        "bank_transfer": bank_transfer,
        "history": order.status_changes.all(),
        "proof_needed": proof_needed,
        "form": form or portal_forms.PaymentProofForm(),
        "bank": payment_page.house_bank_account(),
        "nav": "trade",
    }
    return _render(request, "order.html", context, status=status)


@require_GET
@login_required
def order_page(request, order):
    return _order_page(request, _order_or_404(request.user, order))


@require_POST
@login_required
def order_proof(request, order):
    """The proof of payment from the signed-in order page (`_proof_upload`)."""
    found = _order_or_404(request.user, order)
    return _proof_upload(
        request,
        order=found,
        done_url=reverse("trading:order", kwargs={"order": found.pk}),
        page=lambda fresh, **kwargs: _order_page(request, fresh, **kwargs),
    )


def _proof_upload(request, *, order, done_url, page, via_payment_link=False, limited=False):
    """A proof of payment of `order` (its owner's, `orders.order_payment_confirm`) from the order page or the
    signed bank-confirm page. The pages send it with fetch for a progress bar and get JSON back; without
    JavaScript the form posts normally: success redirects to `done_url`, a refusal shows the page again with the
    status the API answers it with (a bad file 422, an order past its proof 403, `limited` 429). The page is
    rendered from the order as it is now (re-read after the service's lock: another upload may have won)."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    form = portal_forms.PaymentProofForm(request.POST, request.FILES)
    status = 422
    if limited:
        form.is_valid()
        form.add_error(None, _("Too many attempts. Please try again later."))
        status = status_of(errors.RateLimited())
    elif form.is_valid():
        try:
            orders.order_payment_confirm(
                user=order.user, order_id=order.pk, upload=form.validated["file"], via_payment_link=via_payment_link
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
            status = status_of(error)
        else:
            text = _("Proof of payment successfully uploaded.")
            if wants_json:
                return JsonResponse({"message": text, "redirect": done_url})
            messages.success(request, text)
            return redirect(done_url)
    if wants_json:
        flat = [str(e) for e in form.non_field_errors()] + [str(e) for e in form.errors.get("file", [])]
        return JsonResponse({"message": " ".join(flat)}, status=status)
    order.refresh_from_db()
    return page(order, form=form, status=status)


# --- Deposits -------------------------------------------------------------------------------------


def qr_svg(text: str) -> str:
    """The QR code of a deposit address as inline SVG (segno, rendered on the server: no script, no CDN)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def _deposit_page(request, *, address=None, address_form=None, form=None, status=200):
    context = {
        "address": address,
        "qr": qr_svg(address.address) if address is not None else None,
        "address_form": address_form or portal_forms.DepositAddressForm(),
        "form": form or portal_forms.DepositForm(initial={"symbol": address.asset.symbol} if address else None),
        "deposits": order_selectors.order_list(user=request.user, operation=Operation.DEPOSIT)[:10],
        "nav": "trade",
    }
    return _render(request, "deposit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def deposit(request):
    """GET shows the forms; POST declares a deposit's txId. The address is assigned only when the user asks for
    it (`deposit_address`, a POST like the API's): a GET never takes an address from the pool."""
    if request.method == "GET":
        return _deposit_page(request)
    form = portal_forms.DepositForm(request.POST)
    if form.is_valid():
        data = form.validated
        try:
            order = orders.deposit_create(
                user=request.user,
                type=data["type"],
                symbol=data["symbol"],
                amount=data["amount"],
                tx_id=data["txID"],
                wallet=data.get("wallet") or "",
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Deposit %(id)s declared. We credit it once the network confirms it.") % {"id": order.public_id},
            )
            return redirect("trading:order", order=order.pk)
    return _deposit_page(request, form=form, status=422)


@require_POST
@login_required
def deposit_address(request):
    form = portal_forms.DepositAddressForm(request.POST)
    if form.is_valid():
        try:
            address = orders.deposit_address_assign(user=request.user, symbol=form.validated["asset"])
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            return _deposit_page(request, address=address)
    return _deposit_page(request, address_form=form, status=422)


# --- Transfers ------------------------------------------------------------------------------------


def _transfers_page(request, *, form=None, status=200):
    mine = transfer_selectors.transfer_list(user=request.user)
    context = {
        "form": form or portal_forms.TransferForm(),
        "pending": [t for t in mine.filter(status=Transfer.Status.PENDING)],
        "done": mine.exclude(status=Transfer.Status.PENDING)[:25],
        "nav": "transfers",
    }
    return _render(request, "transfers.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def transfer_list(request):
    if request.method == "GET":
        return _transfers_page(request)
    form = portal_forms.TransferForm(request.POST)
    if form.is_valid():
        data = form.validated
        try:
            transfer = transfers.transfer_create(
                user=request.user,
                action=data["action"],
                amount=data["amount"],
                asset_type=data["type"],
                symbol=data["symbol"],
                counterparty=data["user"],
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Transfer %(id)s created.") % {"id": transfer.public_id})
            return redirect("trading:transfers")
    return _transfers_page(request, form=form, status=422)


@require_POST
@login_required
def transfer_action(request, transfer, action: str):
    try:
        found = transfer_selectors.transfer_get(user=request.user, transfer_id=uuid.UUID(transfer))
    except (errors.DomainError, ValueError):
        raise Http404() from None
    try:
        if action == "refuse":
            done = transfers.transfer_refuse(user=request.user, transfer_id=found.pk)
            messages.success(request, _("Transfer %(id)s refused.") % {"id": done.public_id})
        else:
            done = transfers.transfer_confirm(user=request.user, transfer_id=found.pk)
            messages.success(request, _("Transfer %(id)s confirmed.") % {"id": done.public_id})
    except errors.DomainError as error:
        _refusal(request, error)
    return redirect("trading:transfers")


# --- Bank-confirm page (the orders' signed `payment.url`; no session: the link is the credential) --------------


def _bank_confirm_language(order) -> str:
    """The page follows the link, not the browser: it is in the language of the user the order belongs to."""
    language = getattr(order.user, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _bank_confirm_link(request) -> str:
    """The page's own signed link (its form posts to it, the upload returns to it)."""
    return f"{request.path}?{urlencode({key: request.GET.get(key, '') for key in ('order', 'signature')})}"


def _bank_confirm_page(request, order, *, form=None, status=200):
    waiting = order.status == Order.Status.PAYMENT_WAITING and order.proof_id is None
    bank = payment_page.house_bank_account()
    context = {
        "order": order,
        "link": _bank_confirm_link(request),
        "bank": bank,
        # the page tells the buyer to send money only when it takes the proof and names the account to pay into
        "pay_now": waiting and order.user.is_active and bank["configured"],
        # waiting for the payment: an active account's proof is needed; a deactivated one's is refused, and the
        # page tells its buyer not to send money
        "proof_needed": waiting and order.user.is_active,
        "inactive": waiting and not order.user.is_active,
        "form": form or portal_forms.PaymentProofForm(),
    }
    response = render(request, "trading/bank_confirm.html", context, status=status)
    response["Content-Language"] = translation.get_language()
    return response


def _signed_link_headers(response):
    # The signature is a credential: not kept by shared caches, not sent on to other sites as a Referer.
    response["Cache-Control"] = "no-store"
    # strict-origin, not no-referrer: a browser sends `Origin: null` on a form post from a no-referrer page, which
    # Django's CSRF origin check refuses (the proof upload without JavaScript would be a 403). strict-origin sends
    # the origin only (never the path and query, so never the signature), and nothing over plain HTTP.
    response["Referrer-Policy"] = "strict-origin"
    return response


@require_http_methods(["GET", "POST"])
def bank_confirm(request):
    """`/payment/bank-confirm?order=<id>&signature=<hex>`: the payment instructions of one purchase paid by bank
    transfer (amount, reference, the house's account, status and what comes next) and, while it waits for the
    payment, its proof upload through `orders.order_payment_confirm`, the service of the API's
    payment-confirmation (same file rules, same 403 refusals shown on the page). A missing, malformed or tampered
    link, an unknown order or one without such a page is a 404 page."""
    try:
        order = payment_page.order_from_bank_confirm_link(query=request.GET)
    except errors.DomainError:
        return _signed_link_headers(render(request, "trading/bank_confirm.html", {"invalid": True}, status=404))
    with translation.override(_bank_confirm_language(order)):
        return _signed_link_headers(_bank_confirm(request, order))


def _bank_confirm(request, order):
    if request.method == "GET":
        return _bank_confirm_page(request, order)
    limited = is_ratelimited(
        request,
        group="payment-page-proof",
        key=lambda _group, req: client_ip(req) or "unknown",
        rate=settings.PAYMENT_PAGE_PROOF_RATE_PER_IP,
        increment=True,
    )
    return _proof_upload(
        request,
        order=order,
        done_url=_bank_confirm_link(request),
        page=lambda fresh, **kwargs: _bank_confirm_page(request, fresh, **kwargs),
        via_payment_link=True,
        limited=limited,
    )
