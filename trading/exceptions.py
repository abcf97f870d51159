"""Refusals of the markets: what the price endpoints and, later, quotes raise."""

from ccpro import errors


class OperationUnavailable(errors.OperationNotAllowed):
    """The operation is not offered for this pair on the user's platform, or cannot be priced now (405)."""

    default_message = "Operation not available!"

    def __init__(self, message: str | None = None):
        super().__init__(message, errors={})


class RateUnavailable(OperationUnavailable):
    """No rate, or only a stale one: nothing is priced from old data."""


class BothAmountsGiven(errors.ActionForbidden):
    default_message = "ERROR: from_amount and to_amount cannot be both filled"

    def __init__(self, message: str | None = None):
        super().__init__(message, errors={})


class UnknownCurrency(errors.ActionForbidden):
    """An asset or history period the platform does not list (the reference's 403 of the Currency group)."""
