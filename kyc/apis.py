"""KYC endpoints (reference group "KYC"): thin views, one service or selector each."""

import re
from datetime import UTC, date

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status

from ccpro.api.responses import data_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, data_envelope, error_responses
from ccpro.api.validation import InputSerializer, display_name
from ccpro.api.views import ApiView

from . import selectors, services
from .levels import DOCUMENT_ITEMS_ORDER
from .selectors import EDD_CHOICES

ALPHA_SPACE = re.compile(r"^[^\W\d_]+( [^\W\d_]+)*$")
ALPHA_DASH_SPACE = re.compile(r"^[\w\- ]+$")
ALPHA_NUM = re.compile(r"^[A-Za-z0-9]+$")
KYC_ERRORS = error_responses(*AUTHENTICATED_ERRORS, 423)


def null_response(status_code: int) -> HttpResponse:
    """The reference's literal `null` body (personal-data 201, address 200)."""
    return HttpResponse(b"null", status=status_code, content_type="application/json")


def nested_data(request) -> dict:
    """The body with Laravel-style multipart keys (`documents[passport]`, `edd.fundsSource`) made nested."""
    data = request.data
    if not hasattr(data, "getlist"):
        return data
    nested: dict = {}
    for key in data:
        value = data.get(key)
        parts = [p for p in re.split(r"[\[\].]+", key) if p]
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        else:
            target[parts[-1] if parts else key] = value
    return nested


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _required_if(attrs: dict, field: str, other: str, value: str, prefix: str = "") -> None:
    if attrs.get(other) == value and not attrs.get(field):
        raise serializers.ValidationError(
            {
                field: [
                    f"The {display_name(prefix + field)} field is required when "
                    f"{display_name(prefix + other)} is {value}."
                ]
            }
        )


# --- Input -----------------------------------------------------------------------------------------


class PersonalDataInput(InputSerializer):
    firstName = serializers.CharField(max_length=191)
    lastName = serializers.CharField(max_length=191)
    dateOfBirth = serializers.DateField(input_formats=["%Y-%m-%d"])

    def _alpha_space(self, value, attr):
        if not ALPHA_SPACE.match(value):
            raise serializers.ValidationError(f"The {attr} may only contain letters and spaces.")
        return value

    def validate_firstName(self, value):
        return self._alpha_space(value, "first name")

    def validate_lastName(self, value):
        return self._alpha_space(value, "last name")

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


class AddressFieldsInput(InputSerializer):
    country = serializers.CharField(max_length=2)
    city = serializers.CharField(max_length=191)
    zip = serializers.CharField(min_length=4, max_length=10)
    street = serializers.CharField(max_length=191)

    custom_messages = {
        "zip": {
            "min_length": "The zip must be between 4 and 10 characters.",
            "max_length": "The zip must be between 4 and 10 characters.",
        }
    }

    def validate_country(self, value):
        from accounts.selectors import country_codes

        if value.upper() not in country_codes():
            raise serializers.ValidationError("The selected country is invalid.")
        return value.upper()

    def validate_zip(self, value):
        if not ALPHA_NUM.match(value):
            raise serializers.ValidationError("The zip may only contain letters and numbers.")
        return value


class KycAddressInput(AddressFieldsInput):
    utilityBill = serializers.FileField(required=False, allow_empty_file=False)

    def validate_city(self, value):
        if not ALPHA_DASH_SPACE.match(value):
            raise serializers.ValidationError("The city may only contain letters, numbers, dashes and underscores.")
        return value


class DocumentInput(InputSerializer):
    type = serializers.ChoiceField(choices=[*DOCUMENT_ITEMS_ORDER, "extendedProofOfFunds"], required=False)
    file = serializers.FileField(allow_empty_file=False)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 5})
class RangeCodeField(serializers.Field):
    """An EDD range code 1–5 (`in:1,2,3,4,5`); the profile's `eddData` lists the range each code stands for."""

    default_error_messages = {"invalid_choice": "The selected value is invalid."}

    def to_internal_value(self, data):
        if str(data) not in {"1", "2", "3", "4", "5"}:
            self.fail("invalid_choice")
        return int(data)

    def to_representation(self, value):
        return value


class EddInput(InputSerializer):
    transactionsPurpose = serializers.ChoiceField(choices=EDD_CHOICES["transactionsPurpose"])
    transactionsPurposeOther = serializers.CharField(max_length=191, required=False, allow_blank=True)
    transactionsNatureValue = RangeCodeField()
    transactionsNatureFrequency = RangeCodeField()
    fundsSource = serializers.ChoiceField(choices=EDD_CHOICES["fundsSource"])
    fundsSourceOther = serializers.CharField(max_length=191, required=False, allow_blank=True)
    fundsSourceFile = serializers.FileField(allow_empty_file=False)
    fundsOrigin = serializers.ChoiceField(choices=EDD_CHOICES["fundsOrigin"])
    fundsOriginOther = serializers.CharField(max_length=191, required=False, allow_blank=True)
    fundsOriginFile = serializers.FileField(allow_empty_file=False)

    prefix = ""

    def validate(self, attrs):
        _required_if(attrs, "transactionsPurposeOther", "transactionsPurpose", "other", self.prefix)
        _required_if(attrs, "fundsSourceOther", "fundsSource", "other", self.prefix)
        _required_if(attrs, "fundsOriginOther", "fundsOrigin", "other", self.prefix)
        return attrs


class KycEddInput(EddInput):
    """The optional `edd` part of POST kyc: every field optional, files too."""

    prefix = "edd."

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class KycDocumentsInput(InputSerializer):
    governmentIdFront = serializers.FileField(required=False, allow_empty_file=False)
    governmentIdBack = serializers.FileField(required=False, allow_empty_file=False)
    passport = serializers.FileField(required=False, allow_empty_file=False)
    utilityBill = serializers.FileField(required=False, allow_empty_file=False)
    selfieWithId = serializers.FileField(required=False, allow_empty_file=False)

    def validate(self, attrs):
        if not attrs.get("passport"):
            missing = [k for k in ("governmentIdFront", "governmentIdBack") if not attrs.get(k)]
            if missing:
                raise serializers.ValidationError(
                    {
                        k: [
                            f"The documents.{display_name(k)} field is required when documents.passport is not present."
                        ]
                        for k in missing
                    }
                )
        return attrs


class KycCreateInput(AddressFieldsInput):
    documents = KycDocumentsInput()
    edd = KycEddInput(required=False)


class VideoInput(InputSerializer):
    date = serializers.DateTimeField(input_formats=["%Y-%m-%d %H:%M:%S"], default_timezone=UTC)

    custom_messages = {"date": {"invalid": "The date does not match the format Y-m-d H:i:s."}}

    def validate_date(self, value):
        if value < timezone.now().replace(microsecond=0):
            raise serializers.ValidationError("The date must be a date after or equal to now.")
        return value


class PhoneAddInput(InputSerializer):
    phone = serializers.RegexField(r"^\d{7,15}$")

    custom_messages = {"phone": {"invalid": "The phone must be between 7 and 15 digits."}}


class PhoneVerifyInput(InputSerializer):
    code = serializers.CharField(max_length=191)


# --- Output (documentation of the shapes `kyc.selectors` builds) --------------------------------------


def _obj(name: str, **fields):
    return inline_serializer(name=name, fields=fields)


def _str(**kw):
    return serializers.CharField(**kw)


class KycRejectReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class KycAmountsOutput(serializers.Serializer):
    buy = serializers.CharField()
    sell = serializers.CharField()


class KycDocumentOutput(serializers.Serializer):
    status = serializers.CharField()
    rejectReason = KycRejectReasonOutput(required=False)
    url = serializers.CharField(allow_null=True)


def _field_reasons():
    return serializers.DictField(child=KycRejectReasonOutput(), required=False)


def _amounts():
    return KycAmountsOutput()


def _document_output():
    return KycDocumentOutput()


def _head_fields(prefix: str) -> dict:
    return {
        "required": _str(allow_null=True),
        "status": _str(),
        "level": serializers.IntegerField(),
        "amounts": _amounts(),
        "amountsNextLevel": _amounts(),
        "links": _obj(f"{prefix}Links", address=_str(), documents=_str(), video=_str(), enhancedDueDiligence=_str()),
        "phone": _obj(
            f"{prefix}Phone",
            required=serializers.BooleanField(),
            number=_str(allow_null=True),
            isVerified=serializers.BooleanField(),
        ),
        "personal": _obj(
            f"{prefix}Personal",
            required=serializers.BooleanField(),
            status=_str(),
            rejectReason=_field_reasons(),
            firstName=_str(),
            lastName=_str(),
            dateOfBirth=serializers.IntegerField(allow_null=True),
        ),
        "video": _obj(
            f"{prefix}Video",
            required=serializers.BooleanField(),
            emailSent=serializers.BooleanField(),
            status=_str(allow_null=True),
            videoFile=_str(allow_null=True),
            scheduleDate=serializers.IntegerField(allow_null=True),
            scheduleDateTimezone=_str(allow_null=True),
            cancelScheduleUrl=_str(allow_null=True),
            rescheduleUrl=_str(allow_null=True),
        ),
        "createdAt": serializers.IntegerField(),
    }


def _address(name: str, **extra):
    return _obj(
        name,
        required=serializers.BooleanField(),
        **extra,
        status=_str(),
        rejectReason=_field_reasons(),
        country=_str(allow_null=True),
        city=_str(),
        zip=_str(allow_null=True),
        street=_str(),
    )


def _documents(name: str, **extra):
    return _obj(
        name,
        required=serializers.BooleanField(),
        **extra,
        **{kind: _document_output() for kind in DOCUMENT_ITEMS_ORDER},
        extendedProofOfFunds=serializers.ListField(child=_document_output()),
    )


def _edd_common() -> dict:
    return {
        "required": serializers.BooleanField(),
        "status": _str(allow_null=True),
        "rejectReason": _field_reasons(),
        "transactionsPurpose": _str(allow_null=True),
        "transactionsPurposeOther": _str(allow_null=True),
        "fundsSource": _str(allow_null=True),
        "fundsSourceOther": _str(allow_null=True),
        "fundsSourceFile": _str(allow_null=True),
        "fundsOrigin": _str(allow_null=True),
        "fundsOriginOther": _str(allow_null=True),
        "fundsOriginFile": _str(allow_null=True),
        "createdAt": serializers.IntegerField(allow_null=True),
    }


KycOutput = _obj(
    "Kyc",
    **_head_fields("Kyc"),
    address=_address("KycAddress"),
    documents=_documents("KycDocuments"),
    enhancedDueDiligence=_obj(
        "KycEdd",
        **_edd_common(),
        transactionsNatureValueField=_str(allow_null=True),
        transactionsNatureFrequencyField=_str(allow_null=True),
    ),
)

KycSummaryOutput = _obj(
    "KycSummary",
    **_head_fields("KycSummary"),
    address=_address("KycSummaryAddress", emailSent=serializers.BooleanField()),
    documents=_documents(
        "KycSummaryDocuments",
        emailSent=serializers.BooleanField(),
        tempFiles=serializers.ListField(child=_str()),
    ),
    enhancedDueDiligence=_obj(
        "KycSummaryEdd",
        **_edd_common(),
        emailSent=serializers.BooleanField(),
        eddData=serializers.DictField(child=serializers.ListField(child=_str())),
        transactionsNatureValue=serializers.IntegerField(allow_null=True),
        transactionsNatureFrequency=serializers.IntegerField(allow_null=True),
    ),
)
for _serializer in (KycOutput, KycSummaryOutput):
    for _name in ("personal", "address", "enhancedDueDiligence"):
        _serializer.fields[_name].fields["rejectReason"].required = False

PhoneOutput = _obj(
    "KycPhoneState", phone=_str(), status=serializers.IntegerField(), createdAt=serializers.IntegerField()
)
KycBody = data_envelope(KycOutput, name="Kyc")
NullBody = OpenApiResponse(description="The literal JSON `null`.")


def _phone_body(state) -> dict:
    return {"phone": state.phone, "status": 1 if state.verified else 0, "createdAt": int(state.created_at.timestamp())}


# --- Views -----------------------------------------------------------------------------------------


class KycApi(ApiView):
    """The user's KYC (GET); POST submits address, documents and optionally the EDD at once (multipart)."""

    @extend_schema(responses={200: KycBody, **error_responses(*AUTHENTICATED_ERRORS)})
    def get(self, request, user):
        return data_response(selectors.kyc_detail(user=user))

    @extend_schema(request={"multipart/form-data": KycCreateInput}, responses={201: KycBody, **KYC_ERRORS})
    def post(self, request, user):
        data = validated(KycCreateInput, nested_data(request))
        edd = dict(data.get("edd") or {})
        edd_files = {name: edd.pop(name, None) for name in ("fundsSourceFile", "fundsOriginFile")}
        services.kyc_submit(
            user=user,
            address={
                "country": data["country"],
                "city": data["city"],
                "zip_code": data["zip"],
                "street": data["street"],
            },
            documents=dict(data["documents"]),
            edd=edd or None,
            edd_files=edd_files,
        )
        return data_response(selectors.kyc_detail(user=user), status=status.HTTP_201_CREATED)


class PersonalDataApi(ApiView):
    @extend_schema(request=PersonalDataInput, responses={201: NullBody, **KYC_ERRORS})
    def post(self, request, user):
        data = validated(PersonalDataInput, request.data)
        services.personal_data_submit(
            user=user, first_name=data["firstName"], last_name=data["lastName"], date_of_birth=data["dateOfBirth"]
        )
        return null_response(201)


class AddressApi(ApiView):
    @extend_schema(request={"multipart/form-data": KycAddressInput}, responses={200: NullBody, **KYC_ERRORS})
    def post(self, request, user):
        data = validated(KycAddressInput, request.data)
        services.address_submit(
            user=user,
            country=data["country"],
            city=data["city"],
            zip_code=data["zip"],
            street=data["street"],
            utility_bill=data.get("utilityBill"),
        )
        return null_response(200)


class DocumentApi(ApiView):
    @extend_schema(request={"multipart/form-data": DocumentInput}, responses={200: KycBody, **KYC_ERRORS})
    def post(self, request, user):
        data = validated(DocumentInput, request.data)
        services.document_submit(user=user, kind=data.get("type"), upload=data["file"])
        return data_response(selectors.kyc_detail(user=user))


class VideoApi(ApiView):
    @extend_schema(request=VideoInput, responses={200: KycBody, **error_responses(*AUTHENTICATED_ERRORS, 421, 423)})
    def post(self, request, user):
        data = validated(VideoInput, request.data)
        services.video_schedule(user=user, when=data["date"])
        return data_response(selectors.kyc_detail(user=user))


class EddApi(ApiView):
    @extend_schema(request={"multipart/form-data": EddInput}, responses={200: KycBody, **KYC_ERRORS})
    def post(self, request, user):
        data = dict(validated(EddInput, request.data))
        source, origin = data.pop("fundsSourceFile"), data.pop("fundsOriginFile")
        services.edd_submit(user=user, answers=data, source_file=source, origin_file=origin)
        return data_response(selectors.kyc_detail(user=user))


PhoneBody = data_envelope(PhoneOutput, name="KycPhoneState")


class PhoneAddApi(ApiView):
    @extend_schema(request=PhoneAddInput, responses={200: PhoneBody, **KYC_ERRORS})
    def post(self, request, user):
        data = validated(PhoneAddInput, request.data)
        return data_response(_phone_body(services.phone_add(user=user, phone=data["phone"])))


class PhoneVerifyApi(ApiView):
    @extend_schema(request=PhoneVerifyInput, responses={200: PhoneBody, **KYC_ERRORS})
    def post(self, request, user):
        data = validated(PhoneVerifyInput, request.data)
        return data_response(_phone_body(services.phone_verify(user=user, code=data["code"])))


class PhoneReverifyApi(ApiView):
    @extend_schema(request=None, responses={200: PhoneBody, **KYC_ERRORS})
    def post(self, request, user):
        return data_response(_phone_body(services.phone_reverify(user=user)))
