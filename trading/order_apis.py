"""HTTP endpoints of quotes, orders, deposits and balances (reference groups Quote, Order, Deposit, User Balances)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from ccpro import errors
from ccpro.api.fields import decimal_string
from ccpro.api.idempotency import idempotent
from ccpro.api.responses import data_response, message_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, MessageBody, data_envelope, error_responses
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView

from . import order_selectors, orders
from .apis import rate_string
from .models import Operation
from .order_models import OPERATION_DIRECTION, DepositAddress, Order, Quote
from .payment_page import bank_confirm_url
from .selectors import HISTORY_PERIODS

PER_PAGE = 25
QUOTE_OPERATIONS = [op for op in Operation.values if op != Operation.DEPOSIT]


# --- Output ---------------------------------------------------------------------------------------


# The quantum of each number of decimals (`Decimal("1E-8")` for 8): built once, not per amount shown.
QUANTUM = {decimals: Decimal(1).scaleb(-decimals) for decimals in range(0, 41)}


def amount(value: Decimal | None, asset=None) -> str:
    """An amount with its asset's decimals (`"0.20000000"` for XBT), never in exponent form."""
    value = value if isinstance(value, Decimal) else Decimal(value or 0)  # a new row may hold its int default
    if asset is not None:
        value = value.quantize(QUANTUM.get(asset.decimals) or Decimal(1).scaleb(-asset.decimals))
    return format(value, "f")  # decimal_string without its type check: value is a Decimal here


def plain(value: Decimal | None) -> str:
    return format((value if isinstance(value, Decimal) else Decimal(value or 0)).normalize(), "f")


def unix(value) -> int | None:
    """Unix seconds of a datetime; an int is already that (the order list's rows)."""
    if value is None or isinstance(value, int):
        return value
    return int(value.timestamp())


def ref(obj) -> dict:
    return {"id": str(obj.pk) if obj else None, "publicId": obj.public_id if obj else None}


def platform_body(platform) -> dict:
    if platform is None or platform.code == "CCPRO":
        return {"code": None, "name": None, "url": None}
    return {"code": platform.code, "name": platform.name, "url": platform.base_url or None}


def quote_platform_body(platform) -> dict | None:
    return None if platform is None or platform.code == "CCPRO" else platform_body(platform)


def order_body(order: Order, *, detail: bool = False, linked: bool = True) -> dict:
    """An order as the reference shows it. `detail` (Order Show, Quote Confirmation): the whole quote and
    `kycLevelRequired`; `linked=False` (Quote Confirmation, the order inside Quote Show): without the
    `childOrder` and `transfer` links, as those examples have them."""
    instrument = order.bank_id or order.card_id
    body = {
        "id": str(order.pk),
        "publicId": order.public_id,
        "status": order.status,
        "type": order.type,
        "typeOperation": OPERATION_DIRECTION[order.operation],
        "typeOperationName": order.operation,
        "fromSymbol": order.from_asset.symbol if order.from_asset_id else None,
        "fromAmount": amount(order.from_amount, order.from_asset),
        "rate": plain(order.rate),
        "toSymbol": order.to_asset.symbol,
        "toAmount": amount(order.to_amount, order.to_asset),
        "wallet": order.wallet_address or None,
        "txId": order.tx_id or None,
        "parentOrder": ref(order.parent_order),
        "childOrder": ref(order.child_order),
        "payment": {
            "method": order.payment_method or None,
            "id": str(instrument) if instrument else None,
            "url": bank_confirm_url(order),
            "feePercent": plain(order.fee_percent),
            "proofUploaded": f"/files/{order.proof_id}" if order.proof_id else None,
        },
        "commissions": {
            "percent": plain(order.commission_percent),
            "amount": amount(order.commission_amount, order.from_asset),
        },
        "quote": ref(order.quote),
        "transfer": ref(order.transfer),
        "externalPlatform": platform_body(order.platform),
    }
    if detail:
        body["quote"] = quote_body(order.quote, detail=True, embed_order=False) if order.quote_id else None
        body["kycLevelRequired"] = order.kyc_level_required
    if not linked:
        del body["childOrder"], body["transfer"]
        body["externalPlatform"] = quote_platform_body(order.platform)
    body["createdAt"] = unix(order.created_at)
    return body


def quote_body(quote: Quote, *, detail: bool = False, embed_order: bool = True) -> dict:
    instrument = quote.bank_id or quote.card_id
    order = getattr(quote, "order", None) if quote.status == Quote.Status.COMPLETED else None
    body = {
        "id": str(quote.pk),
        "publicId": quote.public_id,
        "status": quote.status,
        "type": quote.type,
        "typeOperationName": quote.operation,
        "payment": {
            "type": quote.payment_type or None,
            "id": str(instrument) if instrument else None,
            "mandatory": quote.payment_mandatory,
        },
        "from": quote.from_asset.symbol,
        "to": quote.to_asset.symbol,
        "amount": amount(quote.amount, quote.asset),
        "rate": plain(quote.rate),
        "commission": {
            "fromAmount": amount(quote.commission_from, quote.from_asset),
            "fromTotal": amount(quote.commission_to, quote.to_asset),
            "discountPercent": plain(quote.discount_percent),
            "percent": plain(quote.commission_percent),
        },
        "total": amount(quote.total, quote.to_asset if quote.asset_id == quote.from_asset_id else quote.from_asset),
        "parentOrder": {"id": None, "publicId": None},
        "wallet": quote.wallet_address or None,
    }
    if detail:
        body["checkout"] = None
    if detail and embed_order and order is not None:
        body["order"] = order_body(order, linked=False)
    else:
        body["order"] = ref(order)
    body.update(
        {
            "externalPlatform": quote_platform_body(quote.platform),
            "lifeSeconds": quote.life_seconds,
            "lifeUntilAt": unix(quote.expires_at),
            "confirmUrl": orders.quote_confirm_url(quote),
            "createdAt": unix(quote.created_at),
        }
    )
    return body


def deposit_body(order: Order) -> dict:
    """The Deposit Store answer: the reference's subset of an order."""
    return {
        "id": str(order.pk),
        "status": order.status,
        "type": order.type,
        "typeOperation": OPERATION_DIRECTION[order.operation],
        "typeOperationName": order.operation,
        "fromSymbol": None,
        "fromAmount": "0",
        "rate": "0",
        "toSymbol": order.to_asset.symbol,
        "toAmount": amount(order.to_amount, order.to_asset),
        "wallet": order.wallet_address or None,
        "txId": order.tx_id or None,
        "payment": {"method": None, "id": None, "url": None, "feePercent": 0, "proofUploaded": None},
        "commissions": {"percent": plain(order.commission_percent), "amount": plain(order.commission_amount)},
        "quote": None,
        "externalPlatform": None,
        "kycLevelRequired": order.kyc_level_required,
        "createdAt": unix(order.created_at),
    }


def deposit_address_body(address: DepositAddress) -> dict:
    return {
        "id": str(address.pk),
        "address": address.address,
        "type": address.type,
        "destination": address.destination,
        "status": address.status,
        "chain": address.chain.symbol,
        "createdAt": unix(address.assigned_at or address.created_at),
    }


def balance_body(balance: order_selectors.Balance) -> dict:
    asset, rates = balance.asset, balance.rates
    body = {"name": asset.name, "symbol": asset.symbol}
    if asset.kind == "coin":
        body["alias"] = asset.symbol
    body.update(
        {
            "rates": {
                "raw": {
                    **{key: rate_string(rates[key]) for key in ("now", *HISTORY_PERIODS)},
                    "history": {
                        "day": [{"rate": rate_string(p), "createdAt": ts} for p, ts in rates["history_day"]],
                    },
                }
            },
            "amounts": {
                "crypto": {"available": decimal_string(balance.available), "pending": decimal_string(balance.pending)},
                "fiat": {
                    "available": decimal_string(balance.fiat_available),
                    "pending": decimal_string(balance.fiat_pending),
                },
            },
            "favorite": balance.favorite,
        }
    )
    return body


# --- Schema descriptions (what the bodies above contain) ------------------------------------------
# Named classes (not inline serializers), so each shape is one component of /api/schema/. Statuses and
# operation names are described as strings: the enums live in the documentation of each field.


class ObjectRefSchema(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    publicId = serializers.CharField(allow_null=True)


class ExternalPlatformSchema(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)


class OrderPaymentSchema(serializers.Serializer):
    method = serializers.CharField(allow_null=True, help_text="bank or card")
    id = serializers.UUIDField(allow_null=True)
    url = serializers.CharField(
        allow_null=True,
        help_text="A purchase paid by bank transfer: its signed bank-confirm page (payment instructions, proof "
        "upload). null otherwise.",
    )
    feePercent = serializers.CharField()
    proofUploaded = serializers.CharField(allow_null=True, help_text="Where staff and the user read the proof.")


class OrderCommissionsSchema(serializers.Serializer):
    percent = serializers.CharField()
    amount = serializers.CharField()


class QuotePaymentSchema(serializers.Serializer):
    type = serializers.CharField(allow_null=True, help_text="bank or card")
    id = serializers.UUIDField(allow_null=True)
    mandatory = serializers.BooleanField()


class QuoteCommissionSchema(serializers.Serializer):
    fromAmount = serializers.CharField()
    fromTotal = serializers.CharField()
    discountPercent = serializers.CharField()
    percent = serializers.CharField()


class QuoteSchema(serializers.Serializer):
    id = serializers.UUIDField()
    publicId = serializers.CharField()
    status = serializers.CharField(help_text="available, completed, expired")
    type = serializers.CharField(help_text="coin or token")
    typeOperationName = serializers.CharField()
    payment = QuotePaymentSchema()
    amount = serializers.CharField()
    rate = serializers.CharField()
    commission = QuoteCommissionSchema()
    total = serializers.CharField()
    parentOrder = ObjectRefSchema()
    wallet = serializers.CharField(allow_null=True)
    order = ObjectRefSchema()
    externalPlatform = ExternalPlatformSchema(allow_null=True)
    lifeSeconds = serializers.IntegerField()
    lifeUntilAt = serializers.IntegerField()
    confirmUrl = serializers.CharField(allow_null=True)
    createdAt = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField()
        fields["to"] = serializers.CharField()
        return fields


class OrderSchema(serializers.Serializer):
    id = serializers.UUIDField()
    publicId = serializers.CharField()
    status = serializers.CharField(help_text="PAYMENT_WAITING, PROCESSING_PAYMENT, APPROVED, REJECTED")
    type = serializers.CharField(help_text="coin or token")
    typeOperation = serializers.CharField(help_text="in or out")
    typeOperationName = serializers.CharField()
    fromSymbol = serializers.CharField(allow_null=True)
    fromAmount = serializers.CharField()
    rate = serializers.CharField()
    toSymbol = serializers.CharField()
    toAmount = serializers.CharField()
    wallet = serializers.CharField(allow_null=True)
    txId = serializers.CharField(allow_null=True)
    parentOrder = ObjectRefSchema()
    childOrder = ObjectRefSchema(required=False, help_text="Left out where the reference's example has no links.")
    payment = OrderPaymentSchema()
    commissions = OrderCommissionsSchema()
    quote = ObjectRefSchema()
    transfer = ObjectRefSchema(required=False, help_text="Left out where the reference's example has no links.")
    externalPlatform = ExternalPlatformSchema()
    createdAt = serializers.IntegerField()


class QuoteDetailSchema(QuoteSchema):
    checkout = serializers.DictField(allow_null=True)
    # The embedded order once confirmed; {id: null, publicId: null} while the quote has no order.
    order = PolymorphicProxySerializer(
        component_name="QuoteOrder", serializers=[OrderSchema, ObjectRefSchema], resource_type_field_name=None
    )


class OrderQuoteSchema(QuoteSchema):
    checkout = serializers.DictField(allow_null=True)


class OrderDetailSchema(OrderSchema):
    quote = OrderQuoteSchema(allow_null=True)
    kycLevelRequired = serializers.IntegerField()


class DepositSchema(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    type = serializers.CharField()
    typeOperation = serializers.CharField()
    typeOperationName = serializers.CharField()
    fromSymbol = serializers.CharField(allow_null=True)
    fromAmount = serializers.CharField()
    rate = serializers.CharField()
    toSymbol = serializers.CharField()
    toAmount = serializers.CharField()
    wallet = serializers.CharField(allow_null=True)
    txId = serializers.CharField()
    payment = serializers.DictField()
    commissions = OrderCommissionsSchema()
    quote = serializers.DictField(allow_null=True)
    externalPlatform = serializers.DictField(allow_null=True)
    kycLevelRequired = serializers.IntegerField()
    createdAt = serializers.IntegerField()


class DepositAddressSchema(serializers.Serializer):
    id = serializers.UUIDField()
    address = serializers.CharField()
    type = serializers.CharField(help_text="cold or hot")
    destination = serializers.CharField(help_text="broker or checkout")
    status = serializers.CharField(help_text="enabled or disabled")
    chain = serializers.CharField()
    createdAt = serializers.IntegerField()


class BalancePairSchema(serializers.Serializer):
    available = serializers.CharField()
    pending = serializers.CharField()


class BalanceAmountsSchema(serializers.Serializer):
    crypto = BalancePairSchema()
    fiat = BalancePairSchema()


class BalanceSchema(serializers.Serializer):
    name = serializers.CharField()
    symbol = serializers.CharField()
    alias = serializers.CharField(required=False, help_text="Coins only.")
    rates = serializers.DictField(help_text="As `rates` of the Currency Index.")
    amounts = BalanceAmountsSchema()
    favorite = serializers.BooleanField()


class BalancesSchema(serializers.Serializer):
    coins = BalanceSchema(many=True, required=False)
    tokens = BalanceSchema(many=True, required=False)


# --- Input ----------------------------------------------------------------------------------------


def _required_if(attrs: dict, field: str, when: bool, other: str, value: str) -> None:
    if when and not attrs.get(field):
        from ccpro.api.validation import display_name

        raise serializers.ValidationError(
            {field: [f"The {display_name(field)} field is required when {display_name(other)} is {value}."]}
        )


class AssetKindField(serializers.CharField):
    """`type`: coin or token (a CharField with its own check: ChoiceFields named `type` collide in the schema)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in ("coin", "token"):
            self.fail("invalid_choice", input=value)
        return value


class QuoteCreateInput(InputSerializer):
    type = AssetKindField(help_text="coin or token")
    orderType = serializers.ChoiceField(choices=QUOTE_OPERATIONS)
    secondOrderType = serializers.ChoiceField(
        choices=[Operation.WITHDRAW, Operation.WITHDRAW_ICO], required=False, allow_null=True, allow_blank=True
    )
    orderAmount = serializers.CharField(max_length=40)
    orderSymbol = serializers.CharField(max_length=16)
    orderPaymentSymbol = serializers.CharField(max_length=16, required=False, allow_null=True, allow_blank=True)
    orderPaymentMethod = serializers.UUIDField(required=False, allow_null=True)
    orderPaymentType = serializers.ChoiceField(
        choices=["card", "bank"], required=False, allow_null=True, allow_blank=True
    )
    wallet = serializers.CharField(max_length=191, required=False, allow_null=True, allow_blank=True)

    def validate(self, attrs):
        order_type = attrs["orderType"]
        exchanges = (
            Operation.BUY_WITH_CRYPTO,
            Operation.BUY_WITH_FIAT,
            Operation.SELL_TO_CRYPTO,
            Operation.SELL_TO_FIAT,
        )
        _required_if(attrs, "orderPaymentSymbol", order_type in exchanges, "orderType", order_type)
        fiat = order_type in (Operation.BUY_WITH_FIAT, Operation.SELL_TO_FIAT)
        if fiat and not attrs.get("orderPaymentMethod") and not attrs.get("orderPaymentType"):
            raise serializers.ValidationError(
                {
                    "orderPaymentType": [
                        "The order payment type field is required when order payment method is not present."
                    ]
                }
            )
        _required_if(
            attrs, "wallet", order_type in (Operation.WITHDRAW, Operation.WITHDRAW_ICO), "orderType", order_type
        )
        if attrs.get("secondOrderType"):
            if order_type not in (Operation.BUY_WITH_CRYPTO, Operation.BUY_WITH_FIAT):
                raise serializers.ValidationError({"secondOrderType": ["The selected second order type is invalid."]})
            _required_if(attrs, "wallet", True, "secondOrderType", attrs["secondOrderType"])
        return attrs


class QuoteConfirmInput(InputSerializer):
    orderPaymentMethod = serializers.UUIDField(required=False, allow_null=True)


class QuoteFilters(InputSerializer):
    status = serializers.ChoiceField(choices=Quote.Status.values, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=QUOTE_OPERATIONS, required=False, allow_blank=True)
    asset = serializers.CharField(max_length=16, required=False, allow_blank=True)


class OrderFilters(InputSerializer):
    status = serializers.ChoiceField(choices=Order.Status.values, required=False, allow_blank=True)
    typeOperationName = serializers.ChoiceField(choices=Operation.values, required=False, allow_blank=True)
    asset = serializers.CharField(max_length=16, required=False, allow_blank=True)
    page = serializers.CharField(required=False, allow_blank=True)


class DepositInput(InputSerializer):
    type = AssetKindField(help_text="coin or token")
    symbol = serializers.CharField(max_length=16)
    amount = serializers.CharField(max_length=40)
    wallet = serializers.CharField(max_length=191, required=False, allow_null=True, allow_blank=True)
    txID = serializers.CharField(max_length=191)
    custom_messages = {"txID": {"required": "The txID field is required.", "null": "The txID field is required."}}


class DepositAddressInput(InputSerializer):
    asset = serializers.CharField(max_length=16)
    destination = serializers.ChoiceField(
        choices=DepositAddress.Destination.values, required=False, allow_null=True, allow_blank=True
    )


class PaymentProofInput(InputSerializer):
    file = serializers.FileField()


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views ----------------------------------------------------------------------------------------

PAGE_HEADERS = {"total": "X-Total", "currentPage": "X-Current-Page", "perPage": "X-Per-Page", "lastPage": "X-Last-Page"}


def paged_response(items: list, meta: dict):
    """The reference's order and quote lists are `{"data": [...]}` alone: the page's figures travel in headers
    (`X-Total`, `X-Current-Page`, `X-Per-Page`, `X-Last-Page`); `?page=N` asks for another page."""
    response = data_response(items)
    for key, header in PAGE_HEADERS.items():
        response[header] = str(meta[key])
    return response


ORDER_FILTER_PARAMETERS = [
    OpenApiParameter("status", str, enum=Order.Status.values),
    OpenApiParameter("typeOperationName", str, enum=Operation.values),
    OpenApiParameter("asset", str, description="ETH, XBT, IPSX…"),
    OpenApiParameter("page", int, description="Page number (25 orders a page)."),
]


class QuoteListCreateApi(ApiView):
    # Quote Create answers an inactive account with {"error": …} (its own refusal, raised by the service).
    allow_inactive = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "POST" and not request.user.is_active:
            raise errors.AccountInactive()

    @extend_schema(
        summary="Quote Create",
        request=QuoteCreateInput,
        responses={201: data_envelope(QuoteSchema), **error_responses(*AUTHENTICATED_ERRORS, 405, 412)},
    )
    @idempotent
    def post(self, request, user):
        data = _valid(QuoteCreateInput, request.data)
        quote = orders.quote_create(
            user=user,
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
        return data_response(quote_body(quote), status=201)

    @extend_schema(
        summary="Quote Index",
        parameters=[
            OpenApiParameter("status", str, enum=Quote.Status.values),
            OpenApiParameter("type", str, enum=QUOTE_OPERATIONS),
            OpenApiParameter("asset", str),
            OpenApiParameter("page", int),
        ],
        responses={
            200: data_envelope(QuoteSchema, many=True),
            **error_responses(*AUTHENTICATED_ERRORS),
        },
    )
    def get(self, request, user):
        filters = _valid(QuoteFilters, request.query_params)
        quotes = order_selectors.quote_list(
            user=user,
            status=filters.get("status") or None,
            operation=filters.get("type") or None,
            asset=filters.get("asset") or None,
        )
        items, meta = order_selectors.page_of(
            quotes,
            page=request.query_params.get("page"),
            per_page=PER_PAGE,
            relations=order_selectors.with_quote_relations,
        )
        return paged_response([quote_body(q) for q in items], meta)


class QuoteDetailApi(ApiView):
    @extend_schema(
        summary="Quote Show",
        responses={200: data_envelope(QuoteDetailSchema), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, quote):
        return data_response(quote_body(order_selectors.quote_get(user=user, quote_id=quote), detail=True))

    @extend_schema(
        summary="Quote Confirmation",
        request=QuoteConfirmInput,
        responses={
            201: data_envelope(OrderDetailSchema),
            **error_responses(*AUTHENTICATED_ERRORS, 405),
        },
    )
    @idempotent
    def post(self, request, user, quote):
        data = _valid(QuoteConfirmInput, request.data)
        quote_id = order_selectors.quote_get(user=user, quote_id=quote).pk
        order = orders.quote_confirm(user=user, quote_id=quote_id, payment_method_id=data.get("orderPaymentMethod"))
        return data_response(
            order_body(order_selectors.order_get(user=user, order_id=order.pk), detail=True, linked=False), status=201
        )


class OrderListApi(ApiView):
    """GET order, order/coin, order/token: `kind` is set per route."""

    kind: str | None = None

    @extend_schema(
        parameters=ORDER_FILTER_PARAMETERS,
        responses={
            200: data_envelope(OrderSchema, many=True),
            **error_responses(*AUTHENTICATED_ERRORS),
        },
    )
    def get(self, request, user):
        # Every filter is optional: no query string validates to no filter (without building the serializer).
        filters = _valid(OrderFilters, request.query_params) if request.query_params else {}
        items, meta = order_selectors.order_page(
            user=user,
            page=filters.get("page"),
            per_page=PER_PAGE,
            kind=self.kind,
            status=filters.get("status") or None,
            operation=filters.get("typeOperationName") or None,
            asset=filters.get("asset") or None,
        )
        return paged_response([order_body(o) for o in items], meta)


class OrderDetailApi(ApiView):
    @extend_schema(
        summary="Order Show",
        responses={200: data_envelope(OrderDetailSchema), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, order):
        return data_response(order_body(order_selectors.order_get(user=user, order_id=order), detail=True))


class OrderPaymentConfirmationApi(ApiView):
    parser_classes = (MultiPartParser, FormParser, JSONParser)

    @extend_schema(
        summary="Order Upload Proof Of Payment",
        request={"multipart/form-data": PaymentProofInput},
        responses={200: MessageBody, **error_responses(*AUTHENTICATED_ERRORS)},
    )
    @idempotent
    def post(self, request, user, order):
        order_id = order_selectors.order_get(user=user, order_id=order).pk
        data = _valid(PaymentProofInput, request.data)
        orders.order_payment_confirm(user=user, order_id=order_id, upload=data["file"])
        return message_response("Proof of payment successfully uploaded.")


class DepositCreateApi(ApiView):
    @extend_schema(
        summary="Deposit Store",
        request=DepositInput,
        responses={200: data_envelope(DepositSchema), **error_responses(*AUTHENTICATED_ERRORS, 406)},
    )
    @idempotent
    def post(self, request, user):
        data = _valid(DepositInput, request.data)
        order = orders.deposit_create(
            user=user,
            type=data["type"],
            symbol=data["symbol"],
            amount=data["amount"],
            tx_id=data["txID"],
            wallet=data.get("wallet") or "",
        )
        return data_response(deposit_body(order))


class DepositAddressApi(ApiView):
    @extend_schema(
        summary="Deposit Address",
        request=DepositAddressInput,
        responses={200: data_envelope(DepositAddressSchema), **error_responses(*AUTHENTICATED_ERRORS, 406)},
    )
    def post(self, request, user):
        data = _valid(DepositAddressInput, request.data)
        address = orders.deposit_address_assign(
            user=user, symbol=data["asset"], destination=data.get("destination") or DepositAddress.Destination.BROKER
        )
        return data_response(deposit_address_body(address))


class BalanceApi(ApiView):
    @extend_schema(
        summary="User Balances",
        responses={200: data_envelope(BalancesSchema), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, asset=None):
        groups = order_selectors.balance_list(user=user, symbol=asset)
        return data_response({group: [balance_body(b) for b in items] for group, items in groups.items()})
