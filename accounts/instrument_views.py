"""Portal pages of withdrawal wallets, bank accounts and cards: list with statuses and rejection reasons, add,
rename (wallets), replace (cards: new details and photos, as the API's Card Update) and delete (banks, cards).

Thin like `instrument_apis.py`, and calling the same code: the forms validate with the API's input serializers,
the writes are `accounts.instruments` services, the lists `accounts.selectors`. A refusal of a service is shown
next to its field (or on top of the page); another user's id is simply not found.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ccpro import errors
from ccpro.portal import login_required

from . import instrument_forms as forms
from . import instruments as services
from . import selectors
from .instrument_apis import card_fields


def _render(request, template: str, context: dict, *, status: int = 200):
    return render(request, f"accounts/instruments/{template}", {"nav": "instruments", **context}, status=status)


def _refusal(request, error: errors.DomainError) -> None:
    for message in [m for field in (error.errors or {}).values() for m in field] or [error.message]:
        messages.error(request, message)


# --- Withdrawal wallets ----------------------------------------------------------------------------


def _wallets_page(request, *, form=None, rename_form=None, rename_id=None, status=200):
    context = {
        "tab": "wallets",
        "wallets": selectors.wallet_list(user=request.user),
        "form": form or forms.WalletCreateForm(),
        "rename_form": rename_form,
        "rename_id": rename_id,
    }
    return _render(request, "wallets.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def wallets(request):
    if request.method == "GET":
        return _wallets_page(request)
    form = forms.WalletCreateForm(request.POST)
    if form.is_valid():
        data = form.validated
        try:
            wallet = services.wallet_create(
                user=request.user, asset=data["coin"], address=data["address"], alias=data["alias"]
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Wallet %(alias)s added. We review it before you can withdraw to it.") % {"alias": wallet.alias},
            )
            return redirect("accounts:wallets")
    return _wallets_page(request, form=form, status=422)


@require_POST
@login_required
def wallet_rename(request, wallet):
    try:
        selectors.wallet_get(user=request.user, wallet_id=wallet)
    except errors.NotFound:
        raise Http404()
    form = forms.WalletRenameForm(request.POST)
    if form.is_valid():
        try:
            renamed = services.wallet_update(user=request.user, wallet_id=wallet, alias=form.validated["alias"])
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The wallet is now called %(alias)s.") % {"alias": renamed.alias})
            return redirect("accounts:wallets")
    return _wallets_page(request, rename_form=form, rename_id=wallet, status=422)


# --- Bank accounts ---------------------------------------------------------------------------------


def _banks_page(request, *, form=None, status=200):
    context = {"tab": "banks", "banks": selectors.bank_list(user=request.user), "form": form or forms.BankCreateForm()}
    return _render(request, "banks.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def banks(request):
    if request.method == "GET":
        return _banks_page(request)
    form = forms.BankCreateForm(request.POST)
    if form.is_valid():
        data = form.validated
        try:
            services.bank_create(
                user=request.user,
                bank_name=data["bankName"],
                iban=data["iban"].compact,
                swift=data["swift"].compact,
                currency=data["currency"],
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Bank account added. We review it before you can use it."))
            return redirect("accounts:banks")
    return _banks_page(request, form=form, status=422)


@require_POST
@login_required
def bank_delete(request, bank):
    try:
        services.bank_delete(user=request.user, bank_id=bank)
    except errors.NotFound:
        raise Http404()
    except errors.DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The bank account has been deleted."))
    return redirect("accounts:banks")


# --- Cards -----------------------------------------------------------------------------------------


def _cards_page(request, *, form=None, status=200):
    context = {"tab": "cards", "cards": selectors.card_list(user=request.user), "form": form or forms.CardCreateForm()}
    return _render(request, "cards.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def cards(request):
    if request.method == "GET":
        return _cards_page(request)
    form = forms.CardCreateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            card = services.card_create(user=request.user, **card_fields(form.validated))
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Card %(alias)s added. We review its photos before you can pay with it.") % {"alias": card.alias},
            )
            return redirect("accounts:cards")
    return _cards_page(request, form=form, status=422)


@require_http_methods(["GET", "POST"])
@login_required
def card_replace(request, card):
    """New details and photos for a card (`instruments.card_update`, the API's Card Update): the same rules as
    adding one, and the card goes back to review. GET shows the form filled with the current details."""
    try:
        found = selectors.card_get(user=request.user, card_id=card)
    except errors.NotFound:
        raise Http404() from None
    status = 200
    if request.method == "GET":
        form = forms.CardCreateForm(
            initial={
                "alias": found.alias,
                "holder_name": found.holder_name,
                "expiration": found.expiration,
                "last_four_digits": found.last_four_digits,
            }
        )
    else:
        form = forms.CardCreateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                replaced = services.card_update(user=request.user, card_id=found.pk, **card_fields(form.validated))
            except errors.NotFound:
                raise Http404() from None
            except errors.DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request,
                    _("Card %(alias)s replaced. We review its new photos before you can pay with it.")
                    % {"alias": replaced.alias},
                )
                return redirect("accounts:cards")
        status = 422
    return _render(request, "card_replace.html", {"tab": "cards", "card": found, "form": form}, status=status)


@require_POST
@login_required
def card_delete(request, card):
    try:
        services.card_delete(user=request.user, card_id=card)
    except errors.NotFound:
        raise Http404()
    except errors.DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The card has been deleted."))
    return redirect("accounts:cards")
