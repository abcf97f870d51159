"""Refusals of quotes, orders and deposits (the reference's wording); ccpro.api.exception_handler maps the kind."""

from ccpro import errors


class QuoteAlreadyProcessed(errors.ActionForbidden):
    default_message = "This quote is already processed."


class QuoteExpired(errors.ActionForbidden):
    default_message = "This quote has expired."


class QuoteAccountInactive(errors.ActionForbidden):
    """Quote Create answers these two with an `error` key, not `message` (the reference)."""

    default_message = "Your account is inactive."
    body_key = "error"


class QuoteSelfDeletePending(errors.PreconditionFailed):
    default_message = "This action is not available due Self Delete Account procedure."
    body_key = "error"


class OrderTransitionNotAllowed(errors.StateConflict):
    default_message = "This order cannot move to that status."


class PaymentAlreadyConfirmed(errors.ActionForbidden):
    default_message = "This order payment is already confirmed."


class PaymentProofNotRequired(errors.ActionForbidden):
    default_message = "This order do not require payment proof confirmation."


class DepositNotAllowed(errors.NotAcceptable):
    default_message = "This type of operation is not allowed."


class DepositAddressUnavailable(errors.ActionForbidden):
    default_message = "Unable to process your request."
