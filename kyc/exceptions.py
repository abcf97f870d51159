"""KYC refusals, worded as the reference does."""

from ccpro import errors


class KycStepNotRequired(errors.Locked):
    """A step submitted when it is not required at this point (already accepted, or no level needs it)."""

    default_message = "The KYC is not required at this point for current user."


STEP_NOT_REQUIRED_MESSAGES = {
    "kyc": "The KYC is not required at this point for current user.",
    "personal": "The KYC Personal Data is not required at this point for current user.",
    "address": "The KYC Address is not required at this point for current user.",
    "documents": "The KYC Docs are not required at this point for current user.",
    "video": "The KYC Video is not required at this point for current user.",
    "enhancedDueDiligence": "The KYC EDD is not required at this point for current user.",
}


def step_not_required(step: str) -> KycStepNotRequired:
    return KycStepNotRequired(STEP_NOT_REQUIRED_MESSAGES[step])


class UploadLimitReached(errors.ActionForbidden):
    default_message = "You have reach the maximum number of files uploaded/day."


class VideoSlotUnavailable(errors.Misdirected):
    default_message = "Selected date is invalid due admins unavailability."


class PhoneAlreadySubmitted(errors.Locked):
    default_message = "You already submit your phone number."


class PhoneAlreadyVerified(errors.Locked):
    default_message = "The phone number is already verified."


class PhoneReverifiedToday(errors.ActionForbidden):
    default_message = "You can resubmit phone verification once per day."


class SmsRateLimited(errors.RateLimited):
    default_message = "Too many SMS requested. Please try again later."


class ItemTransitionRefused(errors.StateConflict):
    """A status move the review workflow does not allow (e.g. rejecting an accepted item)."""

    default_message = "This status change is not allowed."


class UnknownRejectReason(errors.InvalidInput):
    pass
