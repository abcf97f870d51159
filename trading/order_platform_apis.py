"""Platform Orders and Platform Quotes (reference group Platform): the orders and quotes of a partner platform's
users, read with the platform's JWT (platforms.auth). Thin views over trading.order_selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from ccpro.api.schema import data_envelope, error_responses
from platforms.apis import PLATFORM_ERRORS, ListFilterInput, validated
from platforms.auth import PlatformApiView

from . import order_selectors
from .order_apis import PAGE_HEADERS, PER_PAGE, OrderSchema, QuoteSchema, order_body, paged_response, quote_body, unix
from .order_models import Order, Quote

# --- Output ---------------------------------------------------------------------------------------


def user_body(user) -> dict:
    """The order's or quote's user as the Platform group shows it (CCPro's id, as Platform Checkouts)."""
    return {
        "id": str(user.pk),
        "isActive": bool(user.is_active),
        "tradeStatus": bool(user.trade_status),
        "email": user.email,
        "options": {"language": user.language, "theme": user.theme},
        "meta": {"source": user.source, "passwordSet": bool(user.password_set)},
        "selfDeletedAt": unix(user.self_deleted_at),
        "createdAt": unix(user.created_at),
    }


def _with_user(body: dict, user, *, after: str) -> dict:
    """`body` with `user` inserted after the key `after`, where the reference's examples place it."""
    result = {}
    for key, value in body.items():
        result[key] = value
        if key == after:
            result["user"] = user_body(user)
    return result


def platform_order_body(order: Order) -> dict:
    """Order Index's shape with the user, without `transfer` (the Platform Orders example has none)."""
    body = order_body(order)
    body.pop("transfer", None)
    return _with_user(body, order.user, after="commissions")


def platform_quote_body(quote: Quote) -> dict:
    return _with_user(quote_body(quote), quote.user, after="parentOrder")


class PlatformUserOptionsSchema(serializers.Serializer):
    language = serializers.CharField()
    theme = serializers.CharField()


class PlatformUserMetaSchema(serializers.Serializer):
    source = serializers.CharField()
    passwordSet = serializers.BooleanField()


class PlatformObjectUserSchema(serializers.Serializer):
    id = serializers.UUIDField()
    isActive = serializers.BooleanField()
    tradeStatus = serializers.BooleanField()
    email = serializers.EmailField()
    options = PlatformUserOptionsSchema()
    meta = PlatformUserMetaSchema()
    selfDeletedAt = serializers.IntegerField(allow_null=True)
    createdAt = serializers.IntegerField()


class PlatformOrderSchema(OrderSchema):
    transfer = None
    user = PlatformObjectUserSchema()


class PlatformQuoteSchema(QuoteSchema):
    user = PlatformObjectUserSchema()


# --- Input ----------------------------------------------------------------------------------------


class PlatformOrderFilterInput(ListFilterInput):
    status = serializers.ChoiceField(required=False, choices=Order.Status.values)


class PlatformQuoteFilterInput(ListFilterInput):
    status = serializers.ChoiceField(required=False, choices=Quote.Status.values)


# --- Views ----------------------------------------------------------------------------------------

LIST_DESCRIPTION = (
    "The platform's users' rows (users linked to the platform), newest first, 25 per page (`?page=` ≥ 1); "
    "`status`, and `from`/`to` in Unix seconds on the creation time, filter. The page figures are in the headers "
    + ", ".join(f"`{header}`" for header in PAGE_HEADERS.values())
    + "."
)


def _order_relations(qs):
    return order_selectors.with_order_relations(qs).select_related("user")


def _quote_relations(qs):
    return order_selectors.with_quote_relations(qs)  # QUOTE_RELATED has the user already


class PlatformOrderListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Orders",
        parameters=[PlatformOrderFilterInput, OpenApiParameter("status", str, enum=Order.Status.values)],
        responses={
            200: OpenApiResponse(data_envelope(PlatformOrderSchema, many=True), description=LIST_DESCRIPTION),
            **error_responses(*PLATFORM_ERRORS),
        },
    )
    def get(self, request, platform):
        params = validated(PlatformOrderFilterInput, request.query_params)
        rows = order_selectors.platform_order_list(
            platform=platform, status=params.get("status"), created_from=params.get("from"), created_to=params.get("to")
        )
        items, meta = order_selectors.page_of(
            rows, page=params.get("page"), per_page=PER_PAGE, relations=_order_relations
        )
        return paged_response([platform_order_body(order) for order in items], meta)


class PlatformQuoteListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Quotes",
        parameters=[PlatformQuoteFilterInput, OpenApiParameter("status", str, enum=Quote.Status.values)],
        responses={
            200: OpenApiResponse(data_envelope(PlatformQuoteSchema, many=True), description=LIST_DESCRIPTION),
            **error_responses(*PLATFORM_ERRORS),
        },
    )
    def get(self, request, platform):
        params = validated(PlatformQuoteFilterInput, request.query_params)
        rows = order_selectors.platform_quote_list(
            platform=platform, status=params.get("status"), created_from=params.get("from"), created_to=params.get("to")
        )
        items, meta = order_selectors.page_of(
            rows, page=params.get("page"), per_page=PER_PAGE, relations=_quote_relations
        )
        return paged_response([platform_quote_body(quote) for quote in items], meta)
