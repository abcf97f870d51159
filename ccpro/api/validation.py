"""Input validation with the reference's Laravel-style messages ("The email field is required.").

Every request body is read through an `InputSerializer`; it rewrites DRF's messages per field, so views
and services never word a validation error themselves.
"""

import re

from rest_framework import serializers


def display_name(field_path: str) -> str:
    """Laravel's displayable attribute: `firstName` → `first name`, `address.zip` kept dotted."""
    return ".".join(re.sub(r"(?<!^)(?=[A-Z])", " ", part).replace("_", " ").lower() for part in field_path.split("."))


def _messages_for(field: serializers.Field, attr: str) -> dict[str, str]:
    required = f"The {attr} field is required."
    messages = {
        "required": required,
        "null": required,
        "blank": required,
        "invalid": f"The {attr} format is invalid.",
        "max_length": f"The {attr} may not be greater than {{max_length}} characters.",
        "min_length": f"The {attr} must be at least {{min_length}} characters.",
        "max_value": f"The {attr} may not be greater than {{max_value}}.",
        "min_value": f"The {attr} must be at least {{min_value}}.",
        "invalid_choice": f"The selected {attr} is invalid.",
        "not_a_dict": f"The {attr} must be an object.",
        "not_a_list": f"The {attr} must be an array.",
        "empty": required,
        "max_digits": f"The {attr} format is invalid.",
        "max_decimal_places": f"The {attr} format is invalid.",
        "max_whole_digits": f"The {attr} format is invalid.",
        "max_string_length": f"The {attr} format is invalid.",
        "date": f"The {attr} is not a valid date.",
        "datetime": f"The {attr} is not a valid date.",
        "no_name": f"The {attr} must be a file.",
        "invalid_image": f"The {attr} must be an image.",
    }
    if isinstance(field, serializers.Serializer):
        messages["invalid"] = f"The {attr} must be an object."
    elif isinstance(field, serializers.EmailField):
        messages["invalid"] = f"The {attr} must be a valid email address."
    elif isinstance(field, serializers.UUIDField):
        messages["invalid"] = f"The {attr} must be a valid UUID."
    elif isinstance(field, serializers.URLField):
        messages["invalid"] = f"The {attr} format is invalid."
    elif isinstance(field, serializers.DateField):
        messages["invalid"] = f"The {attr} does not match the format Y-m-d."
    elif isinstance(field, serializers.IntegerField):
        messages["invalid"] = f"The {attr} must be an integer."
    elif isinstance(field, serializers.DecimalField):
        messages["invalid"] = f"The {attr} must be a number."
    elif isinstance(field, serializers.BooleanField):
        messages["invalid"] = f"The {attr} field must be true or false."
    elif isinstance(field, serializers.FileField):
        messages["invalid"] = f"The {attr} must be a file."
    elif isinstance(field, serializers.CharField) and not isinstance(field, serializers.RegexField):
        messages["invalid"] = f"The {attr} must be a string."
    return messages


class InputSerializer(serializers.Serializer):
    """Base of every request serializer: Laravel-style messages, nested fields named `parent.child`.

    `custom_messages = {"field": {"code": "message"}}` words a rule the way the reference does."""

    custom_messages: dict[str, dict[str, str]] = {}

    def get_fields(self):
        fields = super().get_fields()
        prefix = f"{self.field_name}." if getattr(self, "field_name", "") else ""
        for name, field in fields.items():
            attr = display_name(prefix + name)
            _apply_messages(field, {**_messages_for(field, attr), **self.custom_messages.get(name, {})})
            child = getattr(field, "child", None)
            if child is not None and not isinstance(child, serializers.Serializer):
                _apply_messages(child, _messages_for(child, attr))
        return fields


def _apply_messages(field: serializers.Field, messages: dict[str, str]) -> None:
    field.error_messages.update(messages)
    # Length, range and format rules run as Django validators built with their message at field creation.
    for validator in field.validators:
        code = getattr(validator, "code", None)
        if code in messages:
            limit = getattr(validator, "limit_value", None)
            validator.message = messages[code].format(**{code: limit}) if limit is not None else messages[code]


def laravel_message(field_path: str, template: str) -> str:
    """A message for a custom rule: `laravel_message("email", "The {attr} has already been taken.")`."""
    return template.format(attr=display_name(field_path))
