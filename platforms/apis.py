"""HTTP endpoints for partner platforms: authenticate-jwt (a user token from a platform-signed JWT) and the
platform API under platform/{platform}, authenticated by the platform's own JWT (platforms.auth)."""

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers

from ccpro.api.fields import UnixTimestampField, decimal_string
from ccpro.api.pagination import paginate
from ccpro.api.request import client_ip, user_agent
from ccpro.api.responses import data_response
from ccpro.api.schema import PUBLIC_ERRORS, data_envelope, error_responses
from ccpro.api.validation import InputSerializer
from ccpro.api.views import PublicApiView
from trading.apis import CurrenciesSchema, currency_body

from . import selectors, services
from .auth import PlatformApiView
from .exceptions import JwtMissing
from .models import COLOR_CODE_RE, Platform, PlatformStaff

PLATFORM_ERRORS = (400, 401, 405, 413, 415, 422, 429)
PER_PAGE = 25

# --- Output --------------------------------------------------------------------------------------


def amount_string(value) -> str | None:
    return None if value is None else decimal_string(value.normalize())


class PaymentLimitBound(serializers.Serializer):
    status = serializers.BooleanField()
    value = serializers.CharField(allow_null=True)


class PaymentLimits(serializers.Serializer):
    firstMaxOrderValue = serializers.CharField(allow_null=True)
    lower = PaymentLimitBound()
    upper = PaymentLimitBound()


class PaymentMethodOutput(serializers.Serializer):
    status = serializers.BooleanField()
    name = serializers.CharField()
    limits = serializers.SerializerMethodField()

    @extend_schema_field(PaymentLimits)
    def get_limits(self, method) -> dict:
        return {
            "firstMaxOrderValue": amount_string(method.first_max_order_value),
            "lower": {"status": method.lower_status, "value": amount_string(method.lower_value)},
            "upper": {"status": method.upper_status, "value": amount_string(method.upper_value)},
        }


class PaymentMethodsOutput(serializers.Serializer):
    bank = PaymentMethodOutput(many=True)
    card = PaymentMethodOutput(many=True)


class LevelOutput(serializers.Serializer):
    level = serializers.CharField()
    name = serializers.CharField()
    required = serializers.ListField(child=serializers.CharField())
    max = serializers.DictField(child=serializers.CharField())


class PlatformOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    code = serializers.CharField()
    baseUrl = serializers.CharField(source="base_url")
    ien = serializers.SerializerMethodField()
    integrations = serializers.SerializerMethodField()
    colorCode = serializers.CharField(source="color_code")
    reference = serializers.SerializerMethodField()
    levels = serializers.SerializerMethodField()
    paymentMethods = serializers.SerializerMethodField()
    currencies = serializers.SerializerMethodField()
    createdAt = UnixTimestampField(source="created_at")

    @extend_schema_field(
        inline_serializer(name="PlatformIen", fields={"url": serializers.CharField(), "type": serializers.CharField()})
    )
    def get_ien(self, platform) -> dict:
        return {"url": platform.ien_url, "type": platform.ien_type}

    @extend_schema_field(serializers.DictField())
    def get_integrations(self, platform) -> dict:
        return {
            "api": {"status": platform.api_enabled},
            "partner": {"status": platform.partner_enabled, "url": platform.partner_url},
            "checkout": {"status": platform.checkout_enabled},
            "widget": {"status": platform.widget_enabled, "url": platform.widget_url},
        }

    @extend_schema_field(
        inline_serializer(
            name="PlatformReference",
            fields={
                "fiat": serializers.CharField(),
                "periodType": serializers.CharField(),
                "periodValue": serializers.CharField(),
            },
        )
    )
    def get_reference(self, platform) -> dict:
        return {
            "fiat": platform.reference_fiat,
            "periodType": platform.reference_period_type,
            "periodValue": str(platform.reference_period_value),
        }

    @extend_schema_field(LevelOutput(many=True))
    def get_levels(self, platform) -> list[dict]:
        return selectors.platform_levels(platform=platform)

    @extend_schema_field(PaymentMethodsOutput)
    def get_paymentMethods(self, platform) -> dict:
        methods = selectors.platform_payment_methods(platform=platform)
        return {kind: PaymentMethodOutput(items, many=True).data for kind, items in methods.items()}

    @extend_schema_field(CurrenciesSchema)
    def get_currencies(self, platform) -> dict:
        groups = selectors.platform_currencies(platform=platform)
        body = {}
        for group, items in groups.items():
            body[group] = []
            for currency in items:
                shown = currency_body(currency)
                if "rates" in shown:
                    # Platform Show's `rates.raw` has the prices only, not the day's history points.
                    shown["rates"]["raw"].pop("history", None)
                body[group].append(shown)
        return body


class StaffOutput(serializers.Serializer):
    id = serializers.UUIDField()
    userId = serializers.UUIDField(source="user_id")
    email = serializers.EmailField(source="user.email")
    firstName = serializers.CharField(source="user.first_name")
    lastName = serializers.CharField(source="user.last_name")
    isActive = serializers.SerializerMethodField()
    role = serializers.CharField()

    def get_isActive(self, staff) -> bool:
        return staff.is_active and staff.user.is_active


class PlatformUserOutput(serializers.Serializer):
    id = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    username = serializers.CharField()
    createdAt = UnixTimestampField(source="created_at")

    def get_id(self, link) -> str:
        # The user's id on the platform's side; a user who came without one is named by the CCPro id.
        return link.external_user_id or str(link.user_id)

    def get_email(self, link) -> str:
        return link.email or link.user.email


class CallOutput(serializers.Serializer):
    endpoint = serializers.CharField()
    verb = serializers.CharField()
    request = serializers.CharField()
    status = serializers.CharField()
    response = serializers.CharField()
    createdAt = UnixTimestampField(source="created_at")


PageMeta = inline_serializer(
    name="PlatformPageMeta",
    fields={
        "total": serializers.IntegerField(),
        "current_page": serializers.IntegerField(),
        "per_page": serializers.IntegerField(),
        "last_page": serializers.IntegerField(),
    },
)


def page_of(queryset, params: dict):
    """The page asked for (25 rows, `?page=`), with the meta keys of the Platform group's Staff example
    (`current_page`). Users and Calls answer without meta, as their examples do: a short page is the last."""
    items, meta = paginate(queryset, page=params.get("page"), per_page=PER_PAGE)
    return items, {
        "total": meta["total"],
        "current_page": meta["currentPage"],
        "per_page": meta["perPage"],
        "last_page": meta["lastPage"],
    }


# --- Input ---------------------------------------------------------------------------------------


class PlatformUpdateInput(InputSerializer):
    name = serializers.CharField(max_length=191)
    baseUrl = serializers.URLField(max_length=191)
    ienUrl = serializers.URLField(max_length=191)
    ienType = serializers.ChoiceField(choices=Platform.IenType.values)
    colorCode = serializers.RegexField(COLOR_CODE_RE, max_length=7)


class ListFilterInput(InputSerializer):
    page = serializers.IntegerField(required=False, min_value=1)
    # Unix seconds: only rows created at or after `from`, at or before `to` (`from` is a Python keyword).
    locals()["from"] = serializers.IntegerField(required=False, min_value=0, max_value=2**37)
    to = serializers.IntegerField(required=False, min_value=0, max_value=2**37)


class UserFilterInput(ListFilterInput):
    email = serializers.CharField(required=False, max_length=191)
    username = serializers.CharField(required=False, max_length=191)


class StaffFilterInput(InputSerializer):
    page = serializers.IntegerField(required=False, min_value=1)
    role = serializers.ChoiceField(required=False, choices=PlatformStaff.Role.values)


class CallFilterInput(ListFilterInput):
    status = serializers.RegexField(r"^[1-5][0-9]{2}$", required=False)


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views ---------------------------------------------------------------------------------------

TokenIssuedBody = inline_serializer(
    name="PlatformTokenIssuedEnvelope",
    fields={
        "data": inline_serializer(
            name="PlatformTokenIssued",
            fields={
                "id": serializers.CharField(),
                "ttl": serializers.IntegerField(),
                "created": serializers.CharField(),
                "userId": serializers.UUIDField(),
            },
        )
    },
)


class AuthenticateJwtApi(PublicApiView):
    @extend_schema(
        summary="User Authenticate via Platform",
        request=None,
        responses={200: TokenIssuedBody, **error_responses(401, *PUBLIC_ERRORS)},
    )
    def post(self, request, platform):
        from accounts.apis import token_issued_body

        raw_jwt = request.META.get("HTTP_TOKEN", "").strip()
        if not raw_jwt:
            raise JwtMissing()
        token, raw = services.platform_user_authenticate(
            platform_id=platform, token=raw_jwt, ip=client_ip(request), user_agent=user_agent(request)
        )
        return data_response(token_issued_body(token, raw))


class PlatformShowApi(PlatformApiView):
    @extend_schema(
        summary="Platform Show",
        responses={200: data_envelope(PlatformOutput), **error_responses(*PLATFORM_ERRORS)},
    )
    def get(self, request, platform):
        return data_response(PlatformOutput(platform).data)

    @extend_schema(
        summary="Platform Update",
        request=PlatformUpdateInput,
        responses={200: data_envelope(PlatformOutput), **error_responses(*PLATFORM_ERRORS)},
    )
    def post(self, request, platform):
        data = validated(PlatformUpdateInput, request.data)
        updated = services.platform_update(
            platform=platform,
            name=data["name"],
            base_url=data["baseUrl"],
            ien_url=data["ienUrl"],
            ien_type=data["ienType"],
            color_code=data["colorCode"],
        )
        return data_response(PlatformOutput(updated).data)


class PlatformStaffListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Staff",
        parameters=[StaffFilterInput],
        responses={200: data_envelope(StaffOutput, many=True, meta=PageMeta), **error_responses(*PLATFORM_ERRORS)},
    )
    def get(self, request, platform):
        params = validated(StaffFilterInput, request.query_params)
        items, meta = page_of(selectors.platform_staff_list(platform=platform, filters=params), params)
        return data_response(StaffOutput(items, many=True).data, meta=meta)


class PlatformUserListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Users",
        parameters=[UserFilterInput],
        responses={200: data_envelope(PlatformUserOutput, many=True), **error_responses(*PLATFORM_ERRORS)},
    )
    def get(self, request, platform):
        params = validated(UserFilterInput, request.query_params)
        items, _meta = page_of(selectors.platform_user_list(platform=platform, filters=params), params)
        return data_response(PlatformUserOutput(items, many=True).data)


class PlatformCallListApi(PlatformApiView):
    @extend_schema(
        summary="Platform Calls",
        parameters=[CallFilterInput],
        responses={200: data_envelope(CallOutput, many=True), **error_responses(*PLATFORM_ERRORS)},
    )
    def get(self, request, platform):
        params = validated(CallFilterInput, request.query_params)
        items, _meta = page_of(selectors.platform_call_list(platform=platform, filters=params), params)
        return data_response(CallOutput(items, many=True).data)
