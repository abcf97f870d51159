"""The one mapping from errors to the reference's status codes and bodies."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from ccpro import errors

log = logging.getLogger(__name__)

STATUS_BY_KIND: list[tuple[type[errors.DomainError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.BadRequest, 400),
    (errors.ActionForbidden, 403),
    (errors.NotFound, 404),
    (errors.OperationNotAllowed, 405),
    (errors.NotAcceptable, 406),
    (errors.NotTheCaller, 409),
    (errors.StateConflict, 409),
    (errors.AlreadyGone, 410),
    (errors.PreconditionFailed, 412),
    (errors.Misdirected, 421),
    (errors.InvalidInput, 422),
    (errors.Locked, 423),
    (errors.TooEarly, 425),
    (errors.RateLimited, 429),
]


def domain_error_response(exc: errors.DomainError) -> Response:
    status = next(code for kind, code in STATUS_BY_KIND if isinstance(exc, kind))
    body = {exc.body_key: exc.message}
    if exc.errors is not None:
        body["errors"] = exc.errors
    return Response(body, status=status)


def flatten_validation_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → Laravel's flat {"address.country": ["…"]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                path = prefix.rstrip(".") or "body"
            else:
                path = f"{prefix}{key}"
            for sub_key, messages in flatten_validation_errors(value, f"{path}.").items():
                flat.setdefault(sub_key, []).extend(messages)
    elif isinstance(detail, list):
        path = prefix.rstrip(".")
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                for sub_key, messages in flatten_validation_errors(item, f"{path}.{index}.").items():
                    flat.setdefault(sub_key, []).extend(messages)
            else:
                flat.setdefault(path, []).append(str(item))
    else:
        flat.setdefault(prefix.rstrip("."), []).append(str(detail))
    return flat


def validation_error_response(exc: drf.ValidationError, view) -> Response:
    errors_ = flatten_validation_errors(exc.detail)
    # A few legacy endpoints (authenticate) answer validation errors with 400 "Validation errors".
    status = getattr(view, "validation_error_status", 422)
    message = getattr(view, "validation_error_message", errors.InvalidInput.default_message)
    return Response({"message": message, "errors": errors_}, status=status)


def contract_exception_handler(exc, context):
    view = context.get("view")
    if isinstance(exc, errors.DomainError):
        return domain_error_response(exc)
    if isinstance(exc, drf.ValidationError):
        return validation_error_response(exc, view)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        response = domain_error_response(errors.Unauthenticated())
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return domain_error_response(errors.ActionForbidden("This action is unauthorized."))
    if isinstance(exc, (drf.NotFound, Http404)):
        return domain_error_response(errors.NotFound())
    if isinstance(exc, drf.MethodNotAllowed):
        allowed = ", ".join(m for m in view.allowed_methods if m != "OPTIONS") if view else ""
        body = {
            "message": f"The {context['request'].method} method is not supported for this route. "
            f"Supported methods: {allowed}."
        }
        return Response(body, status=405)
    if isinstance(exc, drf.UnsupportedMediaType):
        return Response({"message": str(exc.detail)}, status=415)
    if isinstance(exc, drf.ParseError):
        return Response({"message": "The request body could not be parsed.", "errors": {}}, status=400)
    if isinstance(exc, drf.Throttled):
        response = Response({"message": "Too Many Attempts."}, status=429)
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response({"message": "The request body is too large."}, status=413)
    if isinstance(exc, SuspiciousOperation):
        return Response({"message": "The request could not be processed.", "errors": {}}, status=400)
    if isinstance(exc, drf.APIException):
        return Response({"message": str(exc.detail)}, status=exc.status_code)
    log.exception("Unhandled API error", exc_info=exc)
    return None
