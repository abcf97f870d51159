"""Refusals of the platforms app, worded as the reference words them."""

from ccpro import errors


class JwtPayloadInvalid(errors.Unauthenticated):
    """A platform JWT that is malformed, badly signed, for another platform, too long-lived or replayed."""

    default_message = "JWT payload invalid."
    body_key = "message"


class JwtExpired(errors.Unauthenticated):
    default_message = "JWT is expired."
    body_key = "message"


class JwtMissing(errors.BadRequest):
    """authenticate-jwt without its `token` header (400, `errors: {}`)."""

    default_message = "jwt must be provided"

    def __init__(self, message: str | None = None):
        super().__init__(message, errors={})


class NoValidData(errors.ActionForbidden):
    """authenticate-jwt with a verified token whose payload cannot be used (403, errors per field)."""

    default_message = "No valid data sent"


class InvalidPublicKey(errors.InvalidInput):
    """An uploaded public key that is not a PEM RSA key of at least 2048 bits."""


class IenDeliveryFailed(Exception):
    """An instant event notification attempt did not get a 2xx answer (recorded, retried later)."""


class IenUrlRefused(IenDeliveryFailed):
    """The IEN URL is not http(s) to a public host (SSRF guard)."""
