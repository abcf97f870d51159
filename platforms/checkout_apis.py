"""HTTP endpoints of checkouts: Checkout Index and Show (the user's), Platform Checkouts (the platform's)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from ccpro import errors
from ccpro.api.pagination import paginate
from ccpro.api.responses import data_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, data_envelope, error_responses
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView

from . import checkout_selectors as selectors
from .apis import PER_PAGE, PLATFORM_ERRORS, ListFilterInput, validated
from .auth import PlatformApiView
from .checkout_models import Checkout

# --- Schemas (the bodies are built by checkout_selectors.checkout_body) -------------------------------


class CheckoutAttemptsSchema(serializers.Serializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField()


class CheckoutUserOptionsSchema(serializers.Serializer):
    language = serializers.CharField()
    theme = serializers.CharField()


class CheckoutUserMetaSchema(serializers.Serializer):
    source = serializers.CharField()
    passwordSet = serializers.BooleanField()


class CheckoutUserSchema(serializers.Serializer):
    id = serializers.UUIDField()
    isActive = serializers.BooleanField()
    tradeStatus = serializers.BooleanField()
    email = serializers.EmailField()
    options = CheckoutUserOptionsSchema()
    meta = CheckoutUserMetaSchema()
    selfDeletedAt = serializers.IntegerField(allow_null=True)
    createdAt = serializers.IntegerField()


class CheckoutPlatformSchema(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(allow_null=True)


class CheckoutShowSchema(serializers.Serializer):
    id = serializers.UUIDField()
    publicId = serializers.CharField()
    status = serializers.ChoiceField(choices=Checkout.Status.values)
    step = serializers.ChoiceField(choices=Checkout.Step.values)
    attemptsQuote = CheckoutAttemptsSchema()
    requestId = serializers.CharField()
    paymentType = serializers.CharField()
    ip = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    user = CheckoutUserSchema()
    externalPlatform = CheckoutPlatformSchema()
    expiredAt = serializers.IntegerField()
    createdAt = serializers.IntegerField()


class CheckoutIndexItemSchema(CheckoutShowSchema):
    redirectUrl = serializers.CharField(allow_null=True)
    pingUrl = serializers.CharField(allow_null=True)


class PlatformCheckoutSchema(CheckoutIndexItemSchema):
    externalPlatform = None


# --- Input ------------------------------------------------------------------------------------------


class CheckoutFilterInput(InputSerializer):
    status = serializers.ChoiceField(required=False, choices=selectors.LISTED_STATUSES)
    page = serializers.IntegerField(required=False, min_value=1)


class PlatformCheckoutFilterInput(ListFilterInput):
    status = serializers.ChoiceField(required=False, choices=Checkout.Status.values)


# --- Views ------------------------------------------------------------------------------------------


class CheckoutListApi(ApiView):
    @extend_schema(
        summary="Checkout Index",
        parameters=[
            OpenApiParameter("status", str, enum=list(selectors.LISTED_STATUSES)),
            OpenApiParameter("page", int, description="Page number (25 checkouts a page)."),
        ],
        responses={200: data_envelope(CheckoutIndexItemSchema, many=True), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user):
        params = validated(CheckoutFilterInput, request.query_params)
        items, _meta = paginate(
            selectors.checkout_list(user=user, filters=params), page=params.get("page"), per_page=PER_PAGE
        )
        return data_response([selectors.checkout_body(c, variant="user_list") for c in items])


class CheckoutDetailApi(ApiView):
    @extend_schema(
        summary="Checkout Show",
        responses={200: data_envelope(CheckoutShowSchema), **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, checkout):
        found = selectors.checkout_get(user=user, checkout_id=checkout)
        if found is None:
            raise errors.NotFound()
        return data_response(selectors.checkout_body(found, variant="user_show"))


class PlatformCheckoutListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Checkouts",
        parameters=[PlatformCheckoutFilterInput],
        responses={200: data_envelope(PlatformCheckoutSchema, many=True), **error_responses(*PLATFORM_ERRORS)},
    )
    def get(self, request, platform):
        params = validated(PlatformCheckoutFilterInput, request.query_params)
        checkouts = selectors.platform_checkout_list(platform=platform, filters=params)
        items, _meta = paginate(checkouts, page=params.get("page"), per_page=PER_PAGE)
        return data_response([selectors.checkout_body(c, variant="platform") for c in items])
