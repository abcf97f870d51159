"""Portal forms of trading: quotes (buy, sell, withdraw), proof of payment, deposits and transfers.

Their rules are the API's input serializers (`order_apis.py`, `transfer_apis.py`) through `ContractForm`: a field
is refused with the same message on both surfaces; everything needing the database is the services' to check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import ContractForm

from . import order_apis, transfer_apis
from .models import Asset, Operation
from .selectors import asset_list

OPERATION_LABELS = {
    Operation.BUY_WITH_FIAT: _("Buy with a fiat currency"),
    Operation.BUY_WITH_CRYPTO: _("Buy with crypto"),
    Operation.SELL_TO_FIAT: _("Sell for a fiat currency"),
    Operation.SELL_TO_CRYPTO: _("Sell for crypto"),
    Operation.WITHDRAW: _("Withdraw a coin"),
    Operation.WITHDRAW_ICO: _("Withdraw a token"),
}


def _crypto_choices():
    return [("", "—")] + [(a.symbol, f"{a.name} ({a.symbol})") for a in asset_list() if a.kind != Asset.Kind.FIAT]


def _all_choices():
    return [("", "—")] + [(a.symbol, f"{a.name} ({a.symbol})") for a in asset_list()]


def asset_kind(symbol: str) -> str:
    """`type` of the API (coin or token) for the chosen asset: the portal derives it from the asset."""
    asset = next((a for a in asset_list() if a.symbol == symbol), None)
    return asset.kind if asset is not None and asset.kind != Asset.Kind.FIAT else "coin"


class KindFromAssetMixin:
    """The API asks `type` (coin or token) next to the symbol; on the web it follows from the chosen asset."""

    asset_field = "symbol"

    def contract_data(self, cleaned: dict) -> dict:
        data = super().contract_data(cleaned)
        data["type"] = asset_kind(cleaned.get(self.asset_field) or "")
        return data


def _off(**attrs):
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs})


class QuoteForm(KindFromAssetMixin, ContractForm):
    input_serializer = order_apis.QuoteCreateInput
    asset_field = "symbol"
    contract_fields = {
        "orderType": "operation",
        "orderAmount": "amount",
        "orderSymbol": "symbol",
        "orderPaymentSymbol": "payment_symbol",
        "orderPaymentType": "payment_type",
        "orderPaymentMethod": "payment_method",
        "wallet": "wallet",
    }

    operation = forms.ChoiceField(label=_("What to do"), required=False, choices=())
    symbol = forms.ChoiceField(label=_("Asset"), required=False, choices=())
    amount = forms.CharField(
        label=_("Amount"),
        required=False,
        widget=_off(inputmode="decimal"),
        help_text=_("In units of the asset, e.g. 0.5."),
    )
    payment_symbol = forms.ChoiceField(
        label=_("Pay or receive in"),
        required=False,
        choices=(),
        help_text=_("The currency you pay with (buy) or are paid in (sell). Not used by withdrawals."),
    )
    payment_type = forms.ChoiceField(
        label=_("Payment method"),
        required=False,
        choices=[("", "—"), ("bank", _("Bank transfer")), ("card", _("Card"))],
        help_text=_("For fiat currencies only."),
    )
    payment_method = forms.ChoiceField(label=_("Your bank account or card"), required=False, choices=())
    wallet = forms.ChoiceField(
        label=_("Withdrawal wallet"),
        required=False,
        choices=(),
        help_text=_("One of your confirmed wallets on the asset's network (withdrawals)."),
    )

    def __init__(self, *args, instruments=(), wallets=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The API takes the wallet's id (or address): the page offers the user's confirmed wallets by name.
        self.fields["wallet"].choices = [("", "—")] + [(str(pk), label) for pk, label in wallets]
        self.fields["operation"].choices = [("", "—")] + [(op, label) for op, label in OPERATION_LABELS.items()]
        self.fields["symbol"].choices = _crypto_choices()
        self.fields["payment_symbol"].choices = _all_choices()
        self.fields["payment_method"].choices = [("", "—")] + [(str(pk), label) for pk, label in instruments]


class PaymentProofForm(ContractForm):
    input_serializer = order_apis.PaymentProofInput
    contract_fields = {"file": "file"}

    file = forms.FileField(
        label=_("Proof of payment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
        help_text=_("A photo or PDF of the bank transfer: JPEG, PNG or PDF."),
    )


class DepositAddressForm(ContractForm):
    input_serializer = order_apis.DepositAddressInput
    contract_fields = {"asset": "asset"}

    asset = forms.ChoiceField(label=_("Asset to deposit"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = _crypto_choices()


class DepositForm(KindFromAssetMixin, ContractForm):
    input_serializer = order_apis.DepositInput
    contract_fields = {"symbol": "symbol", "amount": "amount", "txID": "tx_id", "wallet": "wallet"}

    symbol = forms.ChoiceField(label=_("Asset"), required=False, choices=())
    amount = forms.CharField(label=_("Amount sent"), required=False, widget=_off(inputmode="decimal"))
    tx_id = forms.CharField(
        label=_("Transaction id (txId)"),
        required=False,
        widget=_off(),
        help_text=_("The id of the transaction that sent the funds to your deposit address."),
    )
    wallet = forms.CharField(label=_("Sent from (optional)"), required=False, widget=_off())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["symbol"].choices = _crypto_choices()


class TransferForm(KindFromAssetMixin, ContractForm):
    input_serializer = transfer_apis.TransferCreateInput
    contract_fields = {"action": "action", "amount": "amount", "symbol": "symbol", "user": "user"}

    action = forms.ChoiceField(
        label=_("Send or request"),
        required=False,
        choices=[("", "—"), ("send", _("Send to another user")), ("receive", _("Request from another user"))],
    )
    symbol = forms.ChoiceField(label=_("Asset"), required=False, choices=())
    amount = forms.CharField(label=_("Amount"), required=False, widget=_off(inputmode="decimal"))
    user = forms.CharField(
        label=_("Other user"),
        required=False,
        widget=_off(),
        help_text=_("Their email address or user id."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["symbol"].choices = _crypto_choices()
