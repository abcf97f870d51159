"""Refusals of the checkout widget (pages show their message; none is an API answer)."""

from ccpro import errors


class CheckoutLinkInvalid(errors.BadRequest):
    """The entry URL's platform, token or payload cannot be used (the field errors say why)."""

    default_message = "This checkout link is invalid."


class CheckoutExpired(errors.AlreadyGone):
    default_message = "This checkout has expired."


class CheckoutClosed(errors.StateConflict):
    default_message = "This checkout is already finished."


class CheckoutStepNotOpen(errors.Locked):
    """The action belongs to another step than the checkout's current one."""

    default_message = "This step is not open at this point."


class CheckoutTransitionNotAllowed(errors.StateConflict):
    default_message = "This checkout cannot change to that status."


class CheckoutCodeInvalid(errors.InvalidInput):
    def __init__(self):
        super().__init__(errors={"code": ["The selected Code is invalid."]})
