"""Domain errors: what a business rule refused, never how HTTP says it.

Services raise these; `ccpro.api.exception_handler` is the one place that turns each kind into the status
code and body of the API reference. A subclass per refusal names it (`accounts.exceptions.WrongPassword`),
the base class it derives from says what kind of refusal it is.
"""


class DomainError(Exception):
    default_message = "Unable to process your request."
    # The reference answers most refusals as {"message": …}; a few legacy ones as {"error": …}.
    body_key = "message"

    def __init__(self, message: str | None = None, *, errors: dict | None = None):
        self.message = message or self.default_message
        # Field errors ({"field": ["…"]}); {} is sent as an empty object, None leaves the key out.
        self.errors = errors
        super().__init__(self.message)


class BadRequest(DomainError):
    """The request itself is unusable (400)."""


class ActionForbidden(DomainError):
    """The caller may not do this, or not now (403)."""


class NotFound(DomainError):
    """No object of the caller's matches (404)."""

    default_message = "No query results."


class OperationNotAllowed(DomainError):
    """The operation does not exist for this combination (405)."""


class NotAcceptable(DomainError):
    """The kind of operation is refused (406)."""


class StateConflict(DomainError):
    """The object's state does not allow this (409)."""


class AlreadyGone(DomainError):
    """What the request acts on is no longer, or not, there (410)."""


class PreconditionFailed(DomainError):
    """A precondition of the caller's account is not met (412)."""


class Misdirected(DomainError):
    """The request cannot be served as asked, e.g. no staff at that slot (421)."""


class InvalidInput(DomainError):
    """Field-level validation failed (422); `errors` carries the messages."""

    default_message = "The given data was invalid."


class Locked(DomainError):
    """The step is not open to the caller at this point (423)."""


class TooEarly(DomainError):
    """Repeated too soon (425)."""


class RateLimited(DomainError):
    """Too many attempts; try again later (429)."""

    default_message = "Too many attempts. Please try again later."


class Unauthenticated(DomainError):
    """Credentials missing or invalid (401)."""

    default_message = "Unauthenticated."
    body_key = "error"


class NotTheCaller(DomainError):
    """The `{user}` in the path is somebody else (409 in the reference)."""

    default_message = "This action is unauthorized."


class AccountInactive(ActionForbidden):
    default_message = "Your account is inactive."
