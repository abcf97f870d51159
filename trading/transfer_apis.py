"""HTTP endpoints of transfers (reference group "Transfer"): thin views, one service or selector each."""

from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers

from ccpro.api.fields import DecimalStringField, UnixTimestampField, decimal_string
from ccpro.api.idempotency import idempotent
from ccpro.api.pagination import paginate
from ccpro.api.responses import data_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, data_envelope, error_responses
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView, parse_uuid
from platforms.auth import PlatformApiView

from . import transfer_selectors, transfers
from .selectors import asset_get
from .transfer_models import Transfer

PER_PAGE = 25


# --- Output --------------------------------------------------------------------------------------


class PartyOutput(serializers.Serializer):
    """The other party as the reference shows it: id and email, nothing more."""

    id = serializers.UUIDField()
    email = serializers.EmailField()


class CommissionOutput(serializers.Serializer):
    value = DecimalStringField(source="commission")
    percent = serializers.SerializerMethodField()

    def get_percent(self, transfer) -> str:
        return format(transfer.commission_percent.normalize(), "f")


class TransferPlatformOutput(serializers.Serializer):
    # null values when the transfer belongs to no partner platform
    code = serializers.CharField(source="platform.code", default=None, allow_null=True)
    name = serializers.CharField(source="platform.name", default=None, allow_null=True)
    url = serializers.CharField(source="platform.base_url", default=None, allow_null=True)


class OrderRefOutput(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    publicId = serializers.CharField(allow_null=True)


class TransferOutput(serializers.Serializer):
    id = serializers.UUIDField()
    publicId = serializers.CharField(source="public_id")
    status = serializers.CharField()
    amount = DecimalStringField()
    total = DecimalStringField()
    commission = CommissionOutput(source="*")
    byUser = PartyOutput(source="by_user")
    fromUser = PartyOutput(source="from_user")
    toUser = PartyOutput(source="to_user")
    fromOrder = serializers.SerializerMethodField()
    toOrder = serializers.SerializerMethodField()
    externalPlatform = TransferPlatformOutput(source="*")
    lifeSeconds = serializers.IntegerField(source="life_seconds")
    lifeUntilAt = UnixTimestampField(source="life_until_at")
    createdAt = UnixTimestampField(source="created_at")

    @staticmethod
    def _order(order_id, public_id) -> dict:
        return {"id": str(order_id) if order_id else None, "publicId": public_id or None}

    @extend_schema_field(OrderRefOutput)
    def get_fromOrder(self, transfer) -> dict:
        return self._order(transfer.from_order_id, transfer.from_order_public_id)

    @extend_schema_field(OrderRefOutput)
    def get_toOrder(self, transfer) -> dict:
        return self._order(transfer.to_order_id, transfer.to_order_public_id)


class PlatformTransferOutput(TransferOutput):
    """The Platform group's shape: the user one plus the asset and `confirmUrl`."""

    type = serializers.CharField(source="asset.kind")
    symbol = serializers.CharField(source="asset.symbol")
    confirmUrl = serializers.SerializerMethodField()

    def get_confirmUrl(self, transfer) -> str | None:
        return None  # confirmed through the API (POST user/{user}/transfer/{transfer}); no portal page


def _ref(order_id, public_id) -> dict:
    return {"id": str(order_id) if order_id else None, "publicId": public_id or None}


def _party(user) -> dict:
    return {"id": str(user.pk), "email": user.email}


def transfer_body(transfer: Transfer, *, platform_shape: bool = False) -> dict:
    """TransferOutput's body (PlatformTransferOutput's with `platform_shape`) as plain data: what the
    serializers document, without building DRF fields per response (a confirmation's hot path)."""
    platform = transfer.platform if transfer.platform_id else None
    body = {
        "id": str(transfer.pk),
        "publicId": transfer.public_id,
        "status": transfer.status,
        "amount": decimal_string(transfer.amount),
        "total": decimal_string(transfer.total),
        "commission": {
            "value": decimal_string(transfer.commission),
            "percent": format(transfer.commission_percent.normalize(), "f"),
        },
        "byUser": _party(transfer.by_user),
        "fromUser": _party(transfer.from_user),
        "toUser": _party(transfer.to_user),
        "fromOrder": _ref(transfer.from_order_id, transfer.from_order_public_id),
        "toOrder": _ref(transfer.to_order_id, transfer.to_order_public_id),
        "externalPlatform": {
            "code": platform.code if platform else None,
            "name": platform.name if platform else None,
            "url": platform.base_url if platform else None,
        },
        "lifeSeconds": transfer.life_seconds,
        "lifeUntilAt": int(transfer.life_until_at.timestamp()),
        "createdAt": int(transfer.created_at.timestamp()),
    }
    if platform_shape:
        body.update({"type": transfer.asset.kind, "symbol": transfer.asset.symbol, "confirmUrl": None})
    return body


TransferBody = data_envelope(TransferOutput)
TransferListBody = data_envelope(TransferOutput, many=True)
PAGE_HEADERS = {"total": "X-Total", "currentPage": "X-Current-Page", "perPage": "X-Per-Page", "lastPage": "X-Last-Page"}


# --- Input ---------------------------------------------------------------------------------------


class TransferCreateInput(InputSerializer):
    action = serializers.ChoiceField(choices=Transfer.Action.choices)
    amount = serializers.CharField(max_length=64)
    type = serializers.ChoiceField(choices=[("coin", "coin"), ("token", "token")])
    symbol = serializers.CharField(max_length=16)
    user = serializers.CharField(max_length=191)

    def validate_amount(self, value):
        # numeric|min:0|not_in:0 here; the asset's decimals and minimum are the service's.
        try:
            amount = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            raise serializers.ValidationError("The amount must be a number.") from None
        if not amount.is_finite():
            raise serializers.ValidationError("The amount must be a number.")
        if amount < 0:
            raise serializers.ValidationError("The amount must be at least 0.")
        if amount == 0:
            raise serializers.ValidationError("The selected amount is invalid.")
        return value.strip()


class TransferConfirmInput(InputSerializer):
    wallet = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=191)
    action = serializers.ChoiceField(choices=[("confirm", "confirm"), ("refuse", "refuse")], required=False)


class TransferFilterInput(InputSerializer):
    status = serializers.ChoiceField(choices=Transfer.Status.choices, required=False)
    asset = serializers.CharField(required=False, max_length=16)

    def validate_asset(self, value):
        asset = asset_get(value, active_only=False)
        if asset is None:
            raise serializers.ValidationError("The selected asset is invalid.")
        return asset


# --- Views ---------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=Transfer.Status.values, required=False),
    OpenApiParameter("asset", str, required=False, description="Asset symbol, e.g. ETH."),
    OpenApiParameter("page", int, required=False),
]
LIST_DESCRIPTION = (
    "Newest first, 25 per page (`?page=`); the page figures are in the headers "
    + ", ".join(f"`{header}`" for header in PAGE_HEADERS.values())
    + "."
)
LIST_SCHEMA = {
    "parameters": LIST_PARAMETERS,
    "responses": {
        200: OpenApiResponse(TransferListBody, description=LIST_DESCRIPTION),
        **error_responses(*AUTHENTICATED_ERRORS),
    },
}


def _list(request, user, scope: str):
    filters = TransferFilterInput(data=request.query_params)
    filters.is_valid(raise_exception=True)
    queryset = transfer_selectors.transfer_list(user=user, scope=scope, **filters.validated_data)
    return _page(request, queryset, TransferOutput)


def _page(request, queryset, output):
    items, meta = paginate(queryset, page=request.query_params.get("page"), per_page=PER_PAGE)
    # The reference's body is {"data": [...]} only, so the page figures travel as headers.
    response = data_response(output(items, many=True).data)
    for key, header in PAGE_HEADERS.items():
        response[header] = str(meta[key])
    return response


class TransferListCreateApi(ApiView):
    @extend_schema(operation_id="transfer_index", **LIST_SCHEMA)
    def get(self, request, user):
        """Every transfer the caller pays or is paid by, newest first."""
        return _list(request, user, "all")

    @extend_schema(
        operation_id="transfer_store",
        request=TransferCreateInput,
        responses={200: TransferBody, **error_responses(*AUTHENTICATED_ERRORS, 410)},
        description=(
            "`send`: the caller pays the other user; `receive`: the caller asks the other user to pay. The payer's "
            "amount is reserved until the transfer is confirmed (by the payer), refused, or expires after "
            "`lifeSeconds` (180)."
        ),
    )
    @idempotent
    def post(self, request, user):
        data = TransferCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        transfer = transfers.transfer_create(
            user=user,
            action=values["action"],
            amount=values["amount"],
            asset_type=values["type"],
            symbol=values["symbol"],
            counterparty=values["user"],
        )
        return data_response(TransferOutput(transfer).data)


class TransferByApi(ApiView):
    @extend_schema(operation_id="transfer_by", **LIST_SCHEMA)
    def get(self, request, user):
        """The transfers the caller created."""
        return _list(request, user, "by")


class TransferFromApi(ApiView):
    @extend_schema(operation_id="transfer_from", **LIST_SCHEMA)
    def get(self, request, user):
        """The transfers the caller pays."""
        return _list(request, user, "from")


class TransferToApi(ApiView):
    @extend_schema(operation_id="transfer_to", **LIST_SCHEMA)
    def get(self, request, user):
        """The transfers paid to the caller."""
        return _list(request, user, "to")


class TransferDetailApi(ApiView):
    @extend_schema(
        operation_id="transfer_show", responses={200: TransferBody, **error_responses(*AUTHENTICATED_ERRORS)}
    )
    def get(self, request, user, transfer):
        return data_response(
            TransferOutput(transfer_selectors.transfer_get(user=user, transfer_id=parse_uuid(transfer))).data
        )

    @extend_schema(
        operation_id="transfer_confirm",
        request=TransferConfirmInput,
        responses={200: TransferBody, **error_responses(*AUTHENTICATED_ERRORS, 410)},
        description=(
            "Only the payer confirms: the creator of a `send`, the asked user of a `receive` (who may name one of "
            "their wallets of the asset, `wallet`). `action: refuse` (either party) calls a pending transfer off "
            "and releases the reservation. 409 when already completed, 410 when expired or refused."
        ),
    )
    @idempotent
    def post(self, request, user, transfer):
        if request.data == {}:  # the usual confirmation: both fields are optional (spares DRF's ≈ 0.1 ms)
            validated = {}
        else:
            data = TransferConfirmInput(data=request.data)
            data.is_valid(raise_exception=True)
            validated = data.validated_data
        transfer_id = parse_uuid(transfer)
        if validated.get("action") == "refuse":
            result = transfers.transfer_refuse(user=user, transfer_id=transfer_id)
        else:
            result = transfers.transfer_confirm(user=user, transfer_id=transfer_id, wallet=validated.get("wallet"))
        return data_response(transfer_body(result))


class PlatformTransferListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Transfers",
        parameters=LIST_PARAMETERS,
        responses={
            200: OpenApiResponse(data_envelope(PlatformTransferOutput, many=True), description=LIST_DESCRIPTION),
            **error_responses(401, 405, 415, 422),
        },
    )
    def get(self, request, platform):
        """Transfers created by the platform's users, newest first."""
        filters = TransferFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = transfer_selectors.platform_transfer_list(platform=platform, **filters.validated_data)
        return _page(request, queryset, PlatformTransferOutput)
