"""Portal forms of banks, cards and withdrawal wallets. Their rules are the API's input serializers
(`instrument_apis.py`), through `ContractForm`: the same field is refused with the same message on both surfaces."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trading.models import Asset
from trading.selectors import asset_list

from . import instrument_apis as apis
from .forms import ContractForm


class WalletCreateForm(ContractForm):
    input_serializer = apis.WalletCreateInput
    contract_fields = {"coin": "coin", "address": "address", "alias": "alias"}

    coin = forms.ChoiceField(label=_("Coin"), required=False, choices=())
    address = forms.CharField(
        label=_("Address"),
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Your address on the coin's network. We check its format before saving it."),
    )
    alias = forms.CharField(
        label=_("Name"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Letters, numbers, dashes and underscores, e.g. my-ledger."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        coins = [asset for asset in asset_list() if asset.kind != Asset.Kind.FIAT]
        self.fields["coin"].choices = [("", "—")] + [(a.symbol, f"{a.name} ({a.symbol})") for a in coins]


class WalletRenameForm(ContractForm):
    input_serializer = apis.WalletUpdateInput
    contract_fields = {"alias": "alias"}

    alias = forms.CharField(label=_("New name"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class BankCreateForm(ContractForm):
    input_serializer = apis.BankCreateInput
    contract_fields = {"bankName": "bank_name", "iban": "iban", "swift": "swift", "currency": "currency"}

    bank_name = forms.CharField(
        label=_("Bank name"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    iban = forms.CharField(
        label=_("IBAN"),
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters", "autocomplete": "off"}),
        help_text=_("The account must be in your name."),
    )
    swift = forms.CharField(
        label=_("SWIFT / BIC"),
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters", "autocomplete": "off"}),
    )
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "maxlength": "3", "autocomplete": "off"}),
        help_text=_("The account's currency, e.g. EUR or RON."),
    )


class CardCreateForm(ContractForm):
    input_serializer = apis.CardInput
    contract_fields = {
        "alias": "alias",
        "holderName": "holder_name",
        "expirationDate": "expiration",
        "lastFourDigits": "last_four_digits",
        "cardImage1": "image_front",
        "cardImage2": "image_holding",
    }

    alias = forms.CharField(
        label=_("Name"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Letters, numbers, dashes and underscores, e.g. visa-work."),
    )
    holder_name = forms.CharField(
        label=_("Name on the card"), required=False, widget=forms.TextInput(attrs={"autocomplete": "cc-name"})
    )
    expiration = forms.CharField(
        label=_("Expiry date"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "MM/YY", "autocomplete": "cc-exp", "inputmode": "numeric"}),
        help_text=_("As printed on the card: MM/YY."),
    )
    last_four_digits = forms.CharField(
        label=_("Last four digits"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4", "autocomplete": "off"}),
        help_text=_("Never type the whole card number."),
    )
    image_front = forms.FileField(
        label=_("Photo of the card's front"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "data-preview": "front"}),
        help_text=_("JPEG or PNG. Cover the middle digits: only the last four may show."),
    )
    image_holding = forms.FileField(
        label=_("Photo of you holding the card"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "data-preview": "holding"}),
        help_text=_("Your face and the card in the same picture."),
    )
