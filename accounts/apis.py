"""HTTP endpoints of accounts and authentication: thin views, one service or selector each."""

import re
from datetime import date

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status

from ccpro.api.fields import IsoMillisecondsField, UnixTimestampField
from ccpro.api.request import client_ip, user_agent
from ccpro.api.responses import data_response, message_response
from ccpro.api.schema import (
    AUTHENTICATED_ERRORS,
    PUBLIC_ERRORS,
    DataMessageBody,
    MessageBody,
    data_envelope,
    error_responses,
)
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView, PublicApiView
from kyc.selectors import kyc_summary
from platforms.selectors import platform_get_active, platform_links_for_user

from . import selectors, services
from .instrument_apis import BankOutput, CardOutput, WalletOutput

ALPHA_SPACE = re.compile(r"^[^\W\d_]+( [^\W\d_]+)*$")
ALPHA_DASH = re.compile(r"^[\w-]+$", re.ASCII)
ALPHA_NUM = re.compile(r"^[A-Za-z0-9]+$")


# --- Output --------------------------------------------------------------------------------------


class UserOptionsOutput(serializers.Serializer):
    language = serializers.CharField()
    theme = serializers.CharField()


class UserMetaOutput(serializers.Serializer):
    source = serializers.CharField()
    passwordSet = serializers.BooleanField(source="password_set")


class UserOutput(serializers.Serializer):
    uuid = serializers.UUIDField(source="id")
    isActive = serializers.BooleanField(source="is_active")
    tradeStatus = serializers.BooleanField(source="trade_status")
    email = serializers.EmailField()
    options = UserOptionsOutput(source="*")
    meta = UserMetaOutput(source="*")
    selfDeletedAt = UnixTimestampField(source="self_deleted_at", allow_null=True)
    createdAt = UnixTimestampField(source="created_at")


class ExternalPlatformOutput(serializers.Serializer):
    code = serializers.CharField(source="platform.code")
    name = serializers.CharField(source="platform.name")
    active = serializers.SerializerMethodField()
    url = serializers.CharField(source="platform.base_url")
    createdAt = UnixTimestampField(source="created_at")

    def get_active(self, link) -> bool:
        return link.active and link.platform.active


class UserProfileOutput(UserOutput):
    """The documented shape of the profile (/api/schema/); `selectors.user_profile` builds it as plain data
    (tests/perf checks the two agree)."""

    kyc = serializers.SerializerMethodField()
    wallets = serializers.SerializerMethodField()
    cards = serializers.SerializerMethodField()
    banks = serializers.SerializerMethodField()
    externalPlatforms = serializers.SerializerMethodField()

    def get_kyc(self, user) -> dict:
        return kyc_summary(user=user)

    # One query per list (wallets join their asset): no per-item queries.
    @extend_schema_field(WalletOutput(many=True))
    def get_wallets(self, user) -> list[dict]:
        return WalletOutput(selectors.wallet_list(user=user), many=True).data

    @extend_schema_field(CardOutput(many=True))
    def get_cards(self, user) -> list[dict]:
        return CardOutput(selectors.card_list(user=user), many=True).data

    @extend_schema_field(BankOutput(many=True))
    def get_banks(self, user) -> list[dict]:
        return BankOutput(selectors.bank_list(user=user), many=True).data

    def get_externalPlatforms(self, user) -> list[dict]:
        return ExternalPlatformOutput(platform_links_for_user(user=user), many=True).data


class AccessTokenIssuedOutput(serializers.Serializer):
    id = serializers.CharField()
    ttl = serializers.IntegerField()
    created = IsoMillisecondsField()
    userId = serializers.UUIDField()


def token_issued_body(token, raw: str) -> dict:
    return AccessTokenIssuedOutput(
        {"id": raw, "ttl": settings.ACCESS_TOKEN_TTL_SECONDS, "created": token.created_at, "userId": token.user_id}
    ).data


class SecurityEventOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="get_code_display")
    by = serializers.CharField(source="actor")
    ip = serializers.IPAddressField(allow_null=True)
    createdAt = UnixTimestampField(source="created_at")


class AccessTokenOutput(serializers.Serializer):
    type = serializers.CharField()
    you = serializers.SerializerMethodField()
    token = serializers.CharField(source="masked")
    lastUsedAt = UnixTimestampField(source="last_used_at", allow_null=True)
    createdAt = UnixTimestampField(source="created_at")

    def get_you(self, token) -> bool:
        return token.pk == self.context["current_token_id"]


class CountryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    phoneCode = serializers.IntegerField()


# --- Input ---------------------------------------------------------------------------------------


class AddressInput(InputSerializer):
    country = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    city = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=191)
    zip = serializers.CharField(required=False, allow_null=True, allow_blank=True, min_length=4, max_length=10)
    street = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=191)

    def validate_country(self, value):
        if value and value.upper() not in selectors.country_codes():
            raise serializers.ValidationError("The selected address.country is invalid.")
        return value.upper() if value else ""

    def validate_zip(self, value):
        if value and not ALPHA_NUM.match(value):
            raise serializers.ValidationError("The address.zip may only contain letters and numbers.")
        return value or ""


class PlatformLinkInput(InputSerializer):
    id = serializers.UUIDField(required=False)
    userId = serializers.CharField(required=False, max_length=191)
    email = serializers.EmailField(required=False, max_length=191)
    username = serializers.CharField(required=False, max_length=191)
    referralId = serializers.CharField(required=False, max_length=191)

    def validate_username(self, value):
        if not ALPHA_DASH.match(value):
            raise serializers.ValidationError(
                "The platform.username may only contain letters, numbers, dashes and underscores."
            )
        return value

    def validate_referralId(self, value):
        if not ALPHA_DASH.match(value):
            raise serializers.ValidationError(
                "The platform.referral id may only contain letters, numbers, dashes and underscores."
            )
        return value


def _alpha_space(value: str, attr: str) -> str:
    if not ALPHA_SPACE.match(value):
        raise serializers.ValidationError(f"The {attr} may only contain letters and spaces.")
    return value


class UserCreateInput(InputSerializer):
    email = serializers.EmailField(max_length=191)
    password = serializers.CharField(required=False, min_length=8, max_length=191, trim_whitespace=False)
    firstName = serializers.CharField(max_length=191)
    lastName = serializers.CharField(max_length=191)
    dateOfBirth = serializers.DateField(input_formats=["%Y-%m-%d"])
    phone = serializers.RegexField(r"^\d{7,15}$", required=False, allow_blank=True)
    address = AddressInput(required=False)
    platform = PlatformLinkInput(required=False)
    redirectTo = serializers.URLField(required=False, max_length=2048)

    custom_messages = {"phone": {"invalid": "The phone must be between 7 and 15 digits."}}

    def validate_firstName(self, value):
        return _alpha_space(value, "first name")

    def validate_lastName(self, value):
        return _alpha_space(value, "last name")

    def validate_dateOfBirth(self, value):
        today = date.today()
        try:
            limit = today.replace(year=today.year - 18)
        except ValueError:  # 29 February
            limit = today.replace(year=today.year - 18, day=28)
        if value > limit:
            raise serializers.ValidationError(
                f"The date of birth must be a date before or equal to {limit.isoformat()}."
            )
        return value

    def validate(self, attrs):
        platform = attrs.get("platform") or {}
        if not attrs.get("password") and not platform.get("id"):
            raise serializers.ValidationError(
                {"password": ["The password field is required when platform.id is not present."]}
            )
        if platform.get("id") and platform_get_active(platform_id=platform["id"]) is None:
            raise serializers.ValidationError({"platform.id": ["The selected platform.id is invalid."]})
        return attrs


class EmailOrIdInput(InputSerializer):
    id = serializers.UUIDField(required=False)
    email = serializers.EmailField(required=False, max_length=191)

    def validate(self, attrs):
        if not attrs.get("id") and not attrs.get("email"):
            raise serializers.ValidationError({"email": ["The email field is required when id is not present."]})
        return attrs


class EmailVerifyInput(EmailOrIdInput):
    code = serializers.CharField(max_length=191)

    def validate_code(self, value):
        if not ALPHA_NUM.match(value):
            raise serializers.ValidationError("The selected Code is invalid.")
        return value


class AuthenticateInput(InputSerializer):
    email = serializers.EmailField(max_length=191)
    password = serializers.CharField(max_length=191, trim_whitespace=False)


class ForgotPasswordInput(InputSerializer):
    email = serializers.EmailField(max_length=255)
    type = serializers.ChoiceField(choices=["text", "link"], required=False, default="text")


class ResetPasswordInput(InputSerializer):
    email = serializers.EmailField(max_length=255)
    token = serializers.CharField(max_length=255)
    password = serializers.CharField(min_length=8, max_length=191, trim_whitespace=False)


class ChangePasswordInput(InputSerializer):
    current_password = serializers.CharField(min_length=8, max_length=191, trim_whitespace=False)
    new_password = serializers.CharField(min_length=8, max_length=191, trim_whitespace=False)


class PasswordInput(InputSerializer):
    password = serializers.CharField(max_length=191, trim_whitespace=False)


def validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views ---------------------------------------------------------------------------------------

UserCreatedBody = inline_serializer(
    name="UserCreatedEnvelope",
    fields={
        "data": UserOutput(),
        "meta": inline_serializer(
            name="UserCreatedMeta",
            fields={"redirectTo": serializers.CharField(allow_null=True), "registerType": serializers.CharField()},
        ),
    },
)


class UserCreateApi(PublicApiView):
    @extend_schema(request=UserCreateInput, responses={201: UserCreatedBody, **error_responses(*PUBLIC_ERRORS)})
    def post(self, request):
        data = validated(UserCreateInput, request)
        platform_data = data.get("platform") or {}
        platform = platform_get_active(platform_id=platform_data["id"]) if platform_data.get("id") else None
        user = services.user_register(
            email=data["email"],
            password=data.get("password"),
            first_name=data["firstName"],
            last_name=data["lastName"],
            date_of_birth=data["dateOfBirth"],
            phone=data.get("phone", ""),
            address=data.get("address"),
            platform=platform,
            platform_data=platform_data,
            ip=client_ip(request),
        )
        meta = {"redirectTo": data.get("redirectTo"), "registerType": "linked" if platform else "direct"}
        return data_response(UserOutput(user).data, status=status.HTTP_201_CREATED, meta=meta)


class UserVerifyApi(PublicApiView):
    @extend_schema(request=EmailVerifyInput, responses={200: MessageBody, **error_responses(*PUBLIC_ERRORS)})
    def post(self, request):
        data = validated(EmailVerifyInput, request)
        services.user_email_verify(
            code=data["code"], user_id=data.get("id"), email=data.get("email"), ip=client_ip(request)
        )
        return message_response("User account successfully verified.")


class UserReverifyApi(PublicApiView):
    @extend_schema(request=EmailOrIdInput, responses={200: MessageBody, **error_responses(*PUBLIC_ERRORS)})
    def post(self, request):
        data = validated(EmailOrIdInput, request)
        services.user_email_reverify(user_id=data.get("id"), email=data.get("email"), ip=client_ip(request))
        return message_response("Email resended.")


class AuthenticateApi(PublicApiView):
    validation_error_status = 400
    validation_error_message = "Validation errors"

    @extend_schema(
        request=AuthenticateInput,
        responses={200: data_envelope(AccessTokenIssuedOutput), **error_responses(*PUBLIC_ERRORS)},
    )
    def post(self, request):
        data = validated(AuthenticateInput, request)
        token, raw = services.user_authenticate(
            email=data["email"], password=data["password"], ip=client_ip(request), user_agent=user_agent(request)
        )
        return data_response(token_issued_body(token, raw))


class ForgotPasswordApi(PublicApiView):
    @extend_schema(request=ForgotPasswordInput, responses={200: DataMessageBody, **error_responses(*PUBLIC_ERRORS)})
    def post(self, request):
        data = validated(ForgotPasswordInput, request)
        services.password_forgot(email=data["email"], as_link=data["type"] == "link", ip=client_ip(request))
        return data_response({"message": "The password reset process has started."})


class ResetPasswordApi(PublicApiView):
    @extend_schema(request=ResetPasswordInput, responses={200: DataMessageBody, **error_responses(*PUBLIC_ERRORS)})
    def post(self, request):
        data = validated(ResetPasswordInput, request)
        services.password_reset(
            email=data["email"], token=data["token"], password=data["password"], ip=client_ip(request)
        )
        return data_response({"message": "The password has been successfully changed."})


class CountryListApi(PublicApiView):
    @extend_schema(responses={200: data_envelope(CountryOutput, many=True)})
    def get(self, request):
        return data_response(list(selectors.country_list()))


LogoutBody = inline_serializer(
    name="LogoutEnvelope",
    fields={"data": inline_serializer(name="Logout", fields={"logout": serializers.BooleanField()})},
)


class LogoutApi(ApiView):
    allow_inactive = True

    @extend_schema(request=None, responses={200: LogoutBody, **error_responses(*AUTHENTICATED_ERRORS)})
    def post(self, request):
        services.user_logout(user=request.user, token=self.access_token, ip=client_ip(request))
        return data_response({"logout": True})


class UserProfileApi(ApiView):
    @extend_schema(responses={200: data_envelope(UserProfileOutput), **error_responses(*AUTHENTICATED_ERRORS)})
    def get(self, request, user):
        return data_response(selectors.user_profile(user=user))


class SecurityEventListApi(ApiView):
    @extend_schema(
        responses={200: data_envelope(SecurityEventOutput, many=True), **error_responses(*AUTHENTICATED_ERRORS)}
    )
    def get(self, request, user):
        return data_response(SecurityEventOutput(selectors.security_event_list(user=user), many=True).data)


class AccessTokenListApi(ApiView):
    @extend_schema(
        responses={200: data_envelope(AccessTokenOutput, many=True), **error_responses(*AUTHENTICATED_ERRORS)}
    )
    def get(self, request, user):
        tokens = selectors.access_token_list(user=user)
        context = {"current_token_id": self.access_token.pk}
        return data_response(AccessTokenOutput(tokens, many=True, context=context).data)


class PasswordChangeApi(ApiView):
    @extend_schema(
        request=ChangePasswordInput,
        responses={200: MessageBody, **error_responses(*AUTHENTICATED_ERRORS, 412)},
    )
    def post(self, request, user):
        data = validated(ChangePasswordInput, request)
        services.password_change(
            user=user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            current_token=self.access_token,
            ip=client_ip(request),
        )
        return message_response("Password successfully changed.")


class AccessTokenInvalidateApi(ApiView):
    @extend_schema(request=None, responses={200: MessageBody, **error_responses(*AUTHENTICATED_ERRORS)})
    def post(self, request, user, token):
        services.access_token_invalidate(user=user, token_reference=token, ip=client_ip(request))
        return message_response("This token has been successfully invalidated.")


class AccountCloseInitiateApi(ApiView):
    @extend_schema(
        request=PasswordInput,
        responses={200: MessageBody, **error_responses(*AUTHENTICATED_ERRORS, 410, 412, 425)},
    )
    def post(self, request, user):
        data = validated(PasswordInput, request)
        services.account_close_initiate(user=user, password=data["password"], ip=client_ip(request))
        return message_response("Self Delete Account procedure initiated. Please check your Email for confirmation.")


class AccountCloseAbortApi(ApiView):
    @extend_schema(request=None, responses={200: MessageBody, **error_responses(*AUTHENTICATED_ERRORS, 410, 412)})
    def post(self, request, user):
        services.account_close_abort(user=user, ip=client_ip(request))
        return message_response("Self Delete Account procedure aborted.")
