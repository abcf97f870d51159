"""OpenAPI descriptions of the envelope and error bodies, so /api/schema/ documents what is really sent."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_envelopes: dict = {}


def data_envelope(
    serializer, *, many: bool = False, meta: serializers.Serializer | None = None, name: str | None = None
):
    """`{"data": <serializer>}` (optionally with `meta`) as a named schema component."""
    base = name or (serializer.__name__ if isinstance(serializer, type) else type(serializer).__name__)
    name = f"{base.removesuffix('Serializer').removesuffix('Output')}{'List' if many else ''}Envelope"
    if name not in _envelopes:
        fields = {"data": serializer(many=many) if isinstance(serializer, type) else serializer}
        if meta is not None:
            fields["meta"] = meta
        _envelopes[name] = inline_serializer(name=name, fields=fields)
    return _envelopes[name]


MessageBody = inline_serializer(name="MessageBody", fields={"message": serializers.CharField()})
ErrorBody = inline_serializer(
    name="ErrorBody",
    fields={
        "message": serializers.CharField(required=False),
        "error": serializers.CharField(required=False),
        "errors": serializers.DictField(required=False),
    },
)
DataMessageBody = inline_serializer(
    name="DataMessageBody",
    fields={"data": inline_serializer(name="DataMessage", fields={"message": serializers.CharField()})},
)


def error_responses(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorBody) for code in codes}


# What every authenticated endpoint may answer besides its own refusals.
AUTHENTICATED_ERRORS = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429)
PUBLIC_ERRORS = (400, 403, 405, 413, 415, 422, 423, 429)


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's schema with operationIds that keep the path's nested ids (`{user}` aside), so a list and
    its detail (`user/{user}/bank` and `user/{user}/bank/{bank}`) never collide: `user_bank_by_bank_retrieve`."""

    def _tokenize_path(self):
        path = re.sub(self.path_prefix, "", self.path, flags=re.IGNORECASE)
        path = re.sub(r"\{user\}", "", path)
        path = re.sub(r"\{([\w\-]+)\}", r"by_\1", path)
        return [token for token in path.strip("/").split("/") if token]


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents ccpro.api.authentication.BearerTokenAuthentication as the `BearerToken` security scheme."""

    target_class = "ccpro.api.authentication.BearerTokenAuthentication"
    name = "BearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
