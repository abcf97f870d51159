"""Refusals of the checkout widget (pages show their message; none is an API answer). Messages are msgids: the
widget translates them when it shows them (`widget_message`)."""

from django.utils.translation import gettext_noop

from ccpro import errors


class CheckoutLinkInvalid(errors.BadRequest):
    """The entry URL's platform, token or payload cannot be used (the field errors say why)."""

    default_message = gettext_noop("This checkout link is invalid.")


class CheckoutExpired(errors.AlreadyGone):
    default_message = gettext_noop("This checkout has expired.")


class CheckoutClosed(errors.StateConflict):
    default_message = gettext_noop("This checkout is already finished.")


class CheckoutStepNotOpen(errors.Locked):
    """The action belongs to another step than the checkout's current one."""

    default_message = gettext_noop("This step is not open at this point.")


class CheckoutTransitionNotAllowed(errors.StateConflict):
    default_message = gettext_noop("This checkout cannot change to that status.")


class CheckoutPaymentTypeOther(errors.StateConflict):
    """A bank for a checkout paid by card, or the other way round."""

    default_message = gettext_noop("This checkout is paid with another payment method.")


class CheckoutCodeInvalid(errors.InvalidInput):
    def __init__(self):
        super().__init__(errors={"code": [gettext_noop("The selected Code is invalid.")]})


class CheckoutProofNeeded(errors.ActionForbidden):
    """This browser session resumed the checkout without proving the email yet (docs/decisions.md, Checkout)."""

    default_message = gettext_noop("Enter the code we emailed you to continue in this browser.")
