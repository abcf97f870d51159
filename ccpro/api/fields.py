"""Output fields for the reference's JSON shapes: Unix seconds, ISO-8601 with milliseconds, decimal strings."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.INT)
class UnixTimestampField(serializers.Field):
    """A datetime as integer Unix seconds (`createdAt: 1577002591`), null when unset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return int(value.timestamp())


@extend_schema_field(OpenApiTypes.STR)
class IsoMillisecondsField(serializers.Field):
    """A datetime as `2019-05-23T11:46:45.576Z` (the auth token's `created`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        from datetime import UTC

        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def decimal_string(value: Decimal) -> str:
    """A Decimal as a plain string, never in exponent form and never through float."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}")
    return format(value, "f")


@extend_schema_field(OpenApiTypes.STR)
class DecimalStringField(serializers.Field):
    """A Decimal amount or rate as a string (`"149.75"`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return decimal_string(value)
