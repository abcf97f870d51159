from ccpro import errors


class WrongPassword(errors.ActionForbidden):
    default_message = "Wrong password"

    def __init__(self, message=None):
        super().__init__(message, errors={})


class TooManyLoginAttempts(errors.RateLimited):
    default_message = "Too many login attempts. Please try again later."


class AccountAlreadyActive(errors.Locked):
    default_message = "The user account is already active."
    body_key = "error"


class VerificationResentToday(errors.ActionForbidden):
    default_message = "You can resubmit email verification once per day."


class PasswordCannotBeChanged(errors.StateConflict):
    default_message = "Password cannot be changed."


class CurrentPasswordIncorrect(errors.PreconditionFailed):
    default_message = "The current password is incorrect."


class TokenNotOwned(errors.ActionForbidden):
    default_message = "This action is unauthorized."


class SelfDeleteAlreadyScheduled(errors.AlreadyGone):
    default_message = "Your account is already scheduled for Self Delete."


class SelfDeleteNotScheduled(errors.AlreadyGone):
    default_message = "Your account is not scheduled for Self Delete."


class SelfDeleteRequestedToday(errors.TooEarly):
    default_message = "You can request Self Delete Account once per day."


class SelfDeleteBalanceHeld(errors.PreconditionFailed):
    default_message = "Self Delete Account procedure unavailable due available balance"


class MailRateLimited(errors.RateLimited):
    default_message = "Too many emails requested. Please try again later."


def field_error(field: str, message: str) -> errors.InvalidInput:
    return errors.InvalidInput(errors={field: [message]})


# --- Banks, cards and wallets ----------------------------------------------------------------------


class BankAlreadyUsed(errors.ActionForbidden):
    default_message = "This bank has been already used in previous actions."


class CardAlreadyUsed(errors.ActionForbidden):
    default_message = "This card has been already used in previous actions."


class InstrumentTransitionRefused(errors.StateConflict):
    """A status move the review workflow does not allow (e.g. confirming a rejected card)."""

    default_message = "This status change is not allowed."
