"""HTTP endpoints of banks, cards and withdrawal wallets (reference groups Bank, Card, Wallet)."""

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status

from ccpro.api.fields import UnixTimestampField
from ccpro.api.responses import data_response, message_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, MessageBody, data_envelope, error_responses
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView, parse_uuid
from trading.models import Asset
from trading.selectors import asset_get

from . import instruments as services
from . import selectors
from .instrument_rules import (
    RuleError,
    bic_matches_iban,
    bic_normalise,
    card_expiration_parse,
    contains_card_number,
    currency_normalise,
    iban_normalise,
    wallet_address_normalise,
)
from .models import InstrumentStatus

ALPHA_DASH_MESSAGE = "The {attr} may only contain letters, numbers, dashes and underscores."


def _rule(check, value, attr: str, **kwargs):
    """Run a rule of `instrument_rules`, turning its refusal into this field's validation message."""
    try:
        return check(value, **kwargs)
    except RuleError as error:
        raise serializers.ValidationError(str(error).format(attr=attr))


# --- Output --------------------------------------------------------------------------------------


class BankOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    bankName = serializers.CharField(source="bank_name")
    iban = serializers.CharField()
    swift = serializers.CharField()
    currency = serializers.CharField()
    createdAt = UnixTimestampField(source="created_at")


class CardOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    alias = serializers.CharField()
    holderName = serializers.CharField(source="holder_name")
    expirationDate = serializers.CharField(source="expiration")
    lastFourDigits = serializers.CharField(source="last_four_digits")
    cardImage1 = serializers.CharField(source="image_front_id", help_text="Id of the stored file: GET /files/<id>.")
    cardImage2 = serializers.CharField(source="image_holding_id", help_text="Id of the stored file: GET /files/<id>.")
    createdAt = UnixTimestampField(source="created_at")


class WalletOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    alias = serializers.CharField()
    address = serializers.CharField()
    coin = serializers.CharField(source="asset.symbol")
    createdAt = UnixTimestampField(source="created_at")


# --- Input ---------------------------------------------------------------------------------------


class StatusFilterInput(InputSerializer):
    status = serializers.CharField(required=False, allow_blank=True)

    def validate_status(self, value):
        if value and value.upper() not in InstrumentStatus.values:
            raise serializers.ValidationError("The selected status is invalid.")
        return value.upper() or None


class BankFilterInput(StatusFilterInput):
    currency = serializers.CharField(required=False, allow_blank=True, max_length=3)


class WalletFilterInput(StatusFilterInput):
    coin = serializers.CharField(required=False, allow_blank=True, max_length=16)


class BankCreateInput(InputSerializer):
    bankName = serializers.CharField(max_length=191)
    iban = serializers.CharField(max_length=191)
    swift = serializers.CharField(max_length=191)
    currency = serializers.CharField(max_length=191)

    def validate_iban(self, value):
        return _rule(iban_normalise, value, "iban")

    def validate_swift(self, value):
        return _rule(bic_normalise, value, "swift")

    def validate_currency(self, value):
        return _rule(currency_normalise, value, "currency")

    def validate(self, attrs):
        if not bic_matches_iban(attrs["swift"], attrs["iban"]):
            raise serializers.ValidationError({"swift": ["The swift does not match the country of the iban."]})
        return attrs


class CardInput(InputSerializer):
    cardImage1 = serializers.FileField(allow_empty_file=True)
    cardImage2 = serializers.FileField(allow_empty_file=True)
    holderName = serializers.CharField(max_length=191)
    expirationDate = serializers.CharField(max_length=5)
    lastFourDigits = serializers.RegexField(r"^[0-9]{4}$")
    alias = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=191)

    custom_messages = {
        "lastFourDigits": {"invalid": "The last four digits must be 4 digits."},
        "alias": {"invalid": ALPHA_DASH_MESSAGE.format(attr="alias")},
        "expirationDate": {"max_length": "The expiration date does not match the format m/y."},
    }

    def validate_expirationDate(self, value):
        return _rule(card_expiration_parse, value, "expiration date", today=date.today())

    def validate_holderName(self, value):
        if contains_card_number(value):
            raise serializers.ValidationError("The holder name must not contain a card number.")
        return value

    def validate_alias(self, value):
        if contains_card_number(value):
            raise serializers.ValidationError("The alias must not contain a card number.")
        return value


class WalletCreateInput(InputSerializer):
    address = serializers.CharField(max_length=191)
    alias = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=191)
    coin = serializers.CharField(max_length=16)

    custom_messages = {"alias": {"invalid": ALPHA_DASH_MESSAGE.format(attr="alias")}}

    def validate_coin(self, value):
        asset = asset_get(value)
        if asset is None or asset.kind == Asset.Kind.FIAT:
            raise serializers.ValidationError("The selected coin is invalid.")
        return asset

    def validate(self, attrs):
        asset = attrs["coin"]
        chain = asset.chain or asset
        try:
            attrs["address"] = wallet_address_normalise(attrs["address"], chain_symbol=chain.symbol)
        except RuleError as error:
            raise serializers.ValidationError({"address": [str(error).format(attr="address")]})
        return attrs


class WalletUpdateInput(InputSerializer):
    alias = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=191)

    custom_messages = {"alias": {"invalid": ALPHA_DASH_MESSAGE.format(attr="alias")}}


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def card_fields(data: dict) -> dict:
    """The keyword arguments of `card_create`/`card_update` from a card's validated input (the API's serializer,
    or the portal's and the checkout widget's CardCreateForm, which validate with it)."""
    month, year = data["expirationDate"]
    return {
        "alias": data["alias"],
        "holder_name": data["holderName"],
        "expiration_month": month,
        "expiration_year": year,
        "last_four_digits": data["lastFourDigits"],
        "image_front": data["cardImage1"],
        "image_holding": data["cardImage2"],
    }


STATUS_PARAMETER = OpenApiParameter(
    "status", str, description="Filter by status.", enum=["confirmed", "rejected", "pending"], required=False
)
CURRENCY_PARAMETER = OpenApiParameter("currency", str, description="ISO 4217 code, e.g. EUR.", required=False)
COIN_PARAMETER = OpenApiParameter("coin", str, description="Coin symbol, e.g. XBT, ETH.", required=False)
DETAIL_ERRORS = error_responses(*AUTHENTICATED_ERRORS)

# --- Views ---------------------------------------------------------------------------------------


class BankListCreateApi(ApiView):
    """The user's bank accounts (filters `status`, `currency`); POST adds one, PENDING until staff confirm it."""

    @extend_schema(
        parameters=[STATUS_PARAMETER, CURRENCY_PARAMETER],
        responses={200: data_envelope(BankOutput, many=True), **DETAIL_ERRORS},
    )
    def get(self, request, user):
        filters = validated(BankFilterInput, request.query_params)
        banks = selectors.bank_list(user=user, status=filters.get("status"), currency=filters.get("currency"))
        return data_response(BankOutput(banks, many=True).data)

    @extend_schema(request=BankCreateInput, responses={201: data_envelope(BankOutput), **DETAIL_ERRORS})
    def post(self, request, user):
        data = validated(BankCreateInput, request.data)
        bank = services.bank_create(
            user=user,
            bank_name=data["bankName"],
            iban=data["iban"].compact,
            swift=data["swift"].compact,
            currency=data["currency"],
        )
        return data_response(BankOutput(bank).data, status=status.HTTP_201_CREATED)


class BankDetailApi(ApiView):
    """One of the user's bank accounts; DELETE refuses (403) once a quote or order has used it."""

    @extend_schema(responses={200: data_envelope(BankOutput), **DETAIL_ERRORS})
    def get(self, request, user, bank):
        return data_response(BankOutput(selectors.bank_get(user=user, bank_id=parse_uuid(bank))).data)

    @extend_schema(responses={200: MessageBody, **DETAIL_ERRORS})
    def delete(self, request, user, bank):
        services.bank_delete(user=user, bank_id=parse_uuid(bank))
        return message_response("This bank has been successfully deleted.")


class CardListCreateApi(ApiView):
    """The user's cards (filter `status`); POST adds one (multipart: two images), PENDING until confirmed."""

    @extend_schema(
        parameters=[STATUS_PARAMETER], responses={200: data_envelope(CardOutput, many=True), **DETAIL_ERRORS}
    )
    def get(self, request, user):
        filters = validated(StatusFilterInput, request.query_params)
        return data_response(CardOutput(selectors.card_list(user=user, status=filters.get("status")), many=True).data)

    @extend_schema(
        request={"multipart/form-data": CardInput}, responses={201: data_envelope(CardOutput), **DETAIL_ERRORS}
    )
    def post(self, request, user):
        data = validated(CardInput, request.data)
        card = services.card_create(user=user, **card_fields(data))
        return data_response(CardOutput(card).data, status=status.HTTP_201_CREATED)


class CardDetailApi(ApiView):
    """One of the user's cards; POST replaces its data and images (back to PENDING); DELETE as for banks."""

    @extend_schema(responses={200: data_envelope(CardOutput), **DETAIL_ERRORS})
    def get(self, request, user, card):
        return data_response(CardOutput(selectors.card_get(user=user, card_id=parse_uuid(card))).data)

    @extend_schema(
        request={"multipart/form-data": CardInput}, responses={200: data_envelope(CardOutput), **DETAIL_ERRORS}
    )
    def post(self, request, user, card):
        card_id = parse_uuid(card)
        selectors.card_get(user=user, card_id=card_id)  # 404 before validating the body
        data = validated(CardInput, request.data)
        updated = services.card_update(user=user, card_id=card_id, **card_fields(data))
        return data_response(CardOutput(updated).data)

    @extend_schema(responses={200: MessageBody, **DETAIL_ERRORS})
    def delete(self, request, user, card):
        services.card_delete(user=user, card_id=parse_uuid(card))
        return message_response("This card has been successfully deleted.")


class WalletListCreateApi(ApiView):
    """The user's withdrawal wallets (filters `status`, `coin`); POST adds one, validated for the chain."""

    @extend_schema(
        parameters=[STATUS_PARAMETER, COIN_PARAMETER],
        responses={200: data_envelope(WalletOutput, many=True), **DETAIL_ERRORS},
    )
    def get(self, request, user):
        filters = validated(WalletFilterInput, request.query_params)
        wallets = selectors.wallet_list(user=user, status=filters.get("status"), coin=filters.get("coin"))
        return data_response(WalletOutput(wallets, many=True).data)

    @extend_schema(request=WalletCreateInput, responses={201: data_envelope(WalletOutput), **DETAIL_ERRORS})
    def post(self, request, user):
        data = validated(WalletCreateInput, request.data)
        wallet = services.wallet_create(user=user, asset=data["coin"], address=data["address"], alias=data["alias"])
        return data_response(WalletOutput(wallet).data, status=status.HTTP_201_CREATED)


class WalletDetailApi(ApiView):
    """One of the user's wallets; POST changes its alias only."""

    @extend_schema(responses={200: data_envelope(WalletOutput), **DETAIL_ERRORS})
    def get(self, request, user, wallet):
        return data_response(WalletOutput(selectors.wallet_get(user=user, wallet_id=parse_uuid(wallet))).data)

    @extend_schema(request=WalletUpdateInput, responses={200: data_envelope(WalletOutput), **DETAIL_ERRORS})
    def post(self, request, user, wallet):
        wallet_id = parse_uuid(wallet)
        selectors.wallet_get(user=user, wallet_id=wallet_id)  # 404 before validating the body
        data = validated(WalletUpdateInput, request.data)
        updated = services.wallet_update(user=user, wallet_id=wallet_id, alias=data["alias"])
        return data_response(WalletOutput(updated).data)
