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


class QuoteTradingDisabled(errors.ActionForbidden):
    """`User.trade_status` off: Quote Create answers with `error` like its other 403."""

    default_message = "Your account is not allowed to trade."
    body_key = "error"


class TradingDisabled(errors.ActionForbidden):
    default_message = "Your account is not allowed to trade."


class OrderKycLevelTooLow(errors.StateConflict):
    """Staff approval of an order whose `kycLevelRequired` the user has not reached yet."""

    default_message = "The user's KYC level is below the level this order requires."


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
