"""HTTP endpoints of the markets: currencies with rates and operations, rate history, prices."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers

from ccpro.api.fields import decimal_string
from ccpro.api.responses import data_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, data_envelope, error_responses
from ccpro.api.views import ApiView

from . import pricing, selectors

# --- Output --------------------------------------------------------------------------------------


def rate_string(value: Decimal | None) -> str | None:
    """A rate as the reference writes them: plain notation, at least 5 decimals (`"128.55000"`), more only
    when the value needs them (`"0.00006304"`), at most 18."""
    if value is None:
        return None
    value = value.quantize(Decimal("1e-18")).normalize()
    if value.as_tuple().exponent > -5:
        value = value.quantize(Decimal("1e-5"))
    return decimal_string(value)


def plain_string(value: Decimal | None) -> str | None:
    """A configured amount or limit without trailing zeros (`"50"`, `"0.001"`)."""
    return None if value is None else decimal_string(value.normalize())


def percent_number(value: Decimal) -> int | float:
    """Commission percentages are JSON numbers in the reference (`0.1`, `2`); they have at most 4 decimals,
    so the float's shortest representation is exactly the configured value."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)  # float-ok: display-only percent


@extend_schema_field(OpenApiTypes.STR)
class AmountField(serializers.Field):
    """An amount already quantized to its asset's decimals, rendered with all of them (`"100.00"`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return decimal_string(value)


@extend_schema_field(OpenApiTypes.STR)
class RateField(AmountField):
    def to_representation(self, value):
        return decimal_string(value.normalize()) if value else "0"


@extend_schema_field(OpenApiTypes.NUMBER)
class PercentField(AmountField):
    def to_representation(self, value):
        return percent_number(value)


class PriceCommissionOutput(serializers.Serializer):
    # The `from` key is a Python keyword, hence the explicit field names below.
    percent = PercentField(source="commission_percent")
    discount = PercentField(source="discount_percent")

    def get_fields(self):
        fields = super().get_fields()
        fields = {"from": AmountField(source="commission_from"), "to": AmountField(source="commission_to"), **fields}
        return fields


class PriceAmountsOutput(serializers.Serializer):
    def get_fields(self):
        return {"from": AmountField(source="amount_from"), "to": AmountField(source="amount_to")}


class PriceAssetsOutput(serializers.Serializer):
    def get_fields(self):
        return {
            "from": serializers.CharField(source="from_asset.symbol"),
            "to": serializers.CharField(source="to_asset.symbol"),
        }


class PricePaymentOutput(serializers.Serializer):
    processor = serializers.CharField(source="payment_processor", allow_null=True)
    fee = AmountField(source="payment_fee", allow_null=True)
    feeOnTop = serializers.BooleanField(source="payment_fee_on_top", allow_null=True)


class PriceOutput(serializers.Serializer):
    """The documented shape of a price (/api/schema/); `price_body` builds it."""

    rate = RateField()
    rateRaw = RateField(source="rate_raw")
    commission = PriceCommissionOutput(source="*")
    amounts = PriceAmountsOutput(source="*")
    assets = PriceAssetsOutput(source="*")
    payment = PricePaymentOutput(source="*")
    operation = serializers.CharField()


def _rate(value: Decimal) -> str:
    return decimal_string(value.normalize()) if value else "0"


def price_body(price: pricing.Price) -> dict:
    """`PriceOutput` as plain dict building: a price is the busiest request, and instantiating the nested
    serializers (deep copies of their fields) cost more than pricing itself (docs/performance.md).
    tests/trading checks the two agree."""
    fee = price.payment_fee
    return {
        "rate": _rate(price.rate),
        "rateRaw": _rate(price.rate_raw),
        "commission": {
            "from": decimal_string(price.commission_from),
            "to": decimal_string(price.commission_to),
            "percent": percent_number(price.commission_percent),
            "discount": percent_number(price.discount_percent),
        },
        "amounts": {"from": decimal_string(price.amount_from), "to": decimal_string(price.amount_to)},
        "assets": {"from": price.from_asset.symbol, "to": price.to_asset.symbol},
        "payment": {
            "processor": None if price.payment_processor is None else str(price.payment_processor),
            "fee": None if fee is None else decimal_string(fee),
            "feeOnTop": price.payment_fee_on_top,
        },
        "operation": str(price.operation),
    }


# The currencies body is built from the cached configuration as plain data; these describe it for
# /api/schema/ (a function per shape: a serializer instance can be bound in one place only).


class OperationLimit(serializers.Serializer):
    min = serializers.CharField(allow_null=True)
    max = serializers.CharField(allow_null=True)


class OperationLimits(serializers.Serializer):
    crypto = OperationLimit()
    fiat = OperationLimit()


class OperationSettings(serializers.Serializer):
    status = serializers.BooleanField()
    limits = OperationLimits()
    secondOperations = serializers.ListField(child=serializers.DictField())


class RatePoint(serializers.Serializer):
    rate = serializers.CharField()
    createdAt = serializers.IntegerField()


class CurrencyRatesHistory(serializers.Serializer):
    day = RatePoint(many=True)


class CurrencyRatesRaw(serializers.Serializer):
    now = serializers.CharField(allow_null=True)
    day = serializers.CharField(allow_null=True)
    week = serializers.CharField(allow_null=True)
    month = serializers.CharField(allow_null=True)
    quarter = serializers.CharField(allow_null=True)
    semester = serializers.CharField(allow_null=True)
    year = serializers.CharField(allow_null=True)
    history = CurrencyRatesHistory()


class CurrencyRates(serializers.Serializer):
    raw = CurrencyRatesRaw()


class CurrencyChain(serializers.Serializer):
    name = serializers.CharField()
    symbol = serializers.CharField()


class CurrencyOperations(serializers.Serializer):
    General = serializers.ListField(child=serializers.DictField(child=OperationSettings()))
    Particular = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField(child=OperationSettings()))
    )


class Currency(serializers.Serializer):
    name = serializers.CharField()
    symbol = serializers.CharField()
    type = serializers.CharField()
    chain = CurrencyChain()
    rates = CurrencyRates()
    operations = CurrencyOperations()


# Each shape is one named class, so /api/schema/ gets one component per name; these give fresh instances.
def limit_schema():
    return OperationLimit()


def operation_schema():
    return OperationSettings()


def rate_points_schema():
    return RatePoint(many=True)


def currency_schema():
    return Currency(many=True, required=False)


CurrenciesSchema = inline_serializer(
    name="Currencies",
    fields={
        "coins": currency_schema(),
        "tokens": currency_schema(),
        "fiats": inline_serializer(
            name="FiatCurrency",
            many=True,
            required=False,
            fields={
                "name": serializers.CharField(),
                "symbol": serializers.CharField(),
                "operations": serializers.ListField(child=serializers.DictField()),
            },
        ),
    },
)


def operation_body(op: selectors.OperationStatus) -> dict:
    return {
        op.info.operation: {
            "status": op.available,
            "limits": {
                "crypto": {"min": plain_string(op.info.crypto_min), "max": plain_string(op.info.crypto_max)},
                "fiat": {"min": plain_string(op.info.fiat_min), "max": plain_string(op.info.fiat_max)},
            },
            "secondOperations": [{name: {"mandatory": mandatory}} for name, mandatory in op.info.second_operations],
        }
    }


def currency_body(currency: selectors.CurrencyView) -> dict:
    asset = currency.asset
    if asset.is_fiat:
        return {"name": asset.name, "symbol": asset.symbol, "operations": []}
    rates = currency.rates
    return {
        "name": asset.name,
        "symbol": asset.symbol,
        "type": asset.kind,
        "chain": {"name": asset.chain_name, "symbol": asset.chain_symbol},
        "rates": {
            "raw": {
                **{key: rate_string(rates[key]) for key in ("now", *selectors.HISTORY_PERIODS)},
                "history": {"day": history_body(rates["history_day"])},
            }
        },
        "operations": {
            "General": [operation_body(op) for op in currency.general],
            "Particular": {fiat: [operation_body(op) for op in ops] for fiat, ops in currency.particular.items()},
        },
    }


def history_body(points) -> list[dict]:
    return [{"rate": rate_string(price), "createdAt": ts} for price, ts in points]


# --- Views ---------------------------------------------------------------------------------------


class CurrencyListApi(ApiView):
    @extend_schema(
        summary="Currency Index",
        responses={200: data_envelope(CurrenciesSchema, name="Currencies"), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, asset=None):
        groups = selectors.currency_list(user=user, symbol=asset)
        return data_response({group: [currency_body(c) for c in items] for group, items in groups.items()})


class CurrencyHistoryApi(ApiView):
    @extend_schema(
        summary="Currency History",
        responses={
            200: data_envelope(rate_points_schema(), name="RateHistory"),
            **error_responses(*AUTHENTICATED_ERRORS),
        },
    )
    def get(self, request, user, asset, period):
        return data_response(history_body(selectors.currency_history(user=user, symbol=asset, period=period)))


AMOUNT_PARAMETERS = [
    OpenApiParameter("from_amount", str, description="Amount of `from`: the answer gives the `to` amount."),
    OpenApiParameter("to_amount", str, description="Amount of `to`: the answer gives the `from` amount."),
    OpenApiParameter(
        "payment_type", str, enum=["bank", "card"], description="Adds the payment processor's fee (fiat operations)."
    ),
]


class PriceApi(ApiView):
    """GET user/{user}/price/{buy|sell|withdraw|withdraw-ico}/{from}/{to}; `kind` is set per route."""

    kind = "buy"

    @extend_schema(
        parameters=AMOUNT_PARAMETERS,
        responses={200: data_envelope(PriceOutput), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, from_symbol, to_symbol):
        params = request.query_params
        price = pricing.price_get(
            user=user,
            kind=self.kind,
            from_symbol=from_symbol,
            to_symbol=to_symbol,
            from_amount=params.get("from_amount") or None,
            to_amount=params.get("to_amount") or None,
            payment_type=params.get("payment_type") or None,
        )
        return data_response(price_body(price))
