"""Messages of other apps that the checkout widget shows, marked for the widget's message catalogues.

Services and the API's input rules word their refusals in English: those words are the API's contract and the
API never translates them. The widget shows them to a buyer in the checkout's language instead, by looking each
one up in the catalogue when it renders it (`platforms.templatetags.checkout_i18n.widget_message`). The
catalogue learns them here (makemessages reads `gettext_noop`); a message missing from this list shows in
English. Listed by the step that can produce them.
"""

from django.utils.translation import gettext_noop

WIDGET_MESSAGES = (
    # Any step
    gettext_noop("The given data was invalid."),
    gettext_noop("Unable to process your request."),
    gettext_noop("No query results."),
    gettext_noop("Too many attempts. Please try again later."),
    # Account details: the new account's email code (accounts)
    gettext_noop("The user account is already active."),
    gettext_noop("You can resubmit email verification once per day."),
    gettext_noop("Too many emails requested. Please try again later."),
    # KYC: the phone (kyc)
    gettext_noop("The phone format is invalid."),
    gettext_noop("The phone field is required."),
    gettext_noop("You already submit your phone number."),
    gettext_noop("The phone number is already verified."),
    gettext_noop("Too many SMS requested. Please try again later."),
    # Payment: the bank account form (the API's Bank Store rules, accounts)
    gettext_noop("The bank name field is required."),
    gettext_noop("The bank name may not be greater than 191 characters."),
    gettext_noop("The iban field is required."),
    gettext_noop("The iban is not a valid IBAN."),
    gettext_noop("The iban may only contain letters and numbers."),
    gettext_noop("The iban has already been taken."),
    gettext_noop("The swift field is required."),
    gettext_noop("The swift is not a valid SWIFT/BIC code."),
    gettext_noop("The swift may only contain letters and numbers."),
    gettext_noop("The swift must be 8 or 11 characters."),
    gettext_noop("The swift must be between 8 and 11 characters."),
    gettext_noop("The swift does not match the country of the iban."),
    gettext_noop("The currency field is required."),
    gettext_noop("The selected currency is invalid."),
    # Payment: the card form (the API's Card Store rules and its uploads)
    gettext_noop("The alias field is required."),
    gettext_noop("The alias may not be greater than 191 characters."),
    gettext_noop("The alias may only contain letters, numbers, dashes and underscores."),
    gettext_noop("The alias must not contain a card number."),
    gettext_noop("The holder name field is required."),
    gettext_noop("The holder name may not be greater than 191 characters."),
    gettext_noop("The holder name must not contain a card number."),
    gettext_noop("The expiration date field is required."),
    gettext_noop("The expiration date does not match the format m/y."),
    gettext_noop("The expiration date must be a date after or equal to today."),
    gettext_noop("The last four digits field is required."),
    gettext_noop("The last four digits must be 4 digits."),
    gettext_noop("The card image1 field is required."),
    gettext_noop("The card image2 field is required."),
    gettext_noop("The card image1 must be a file of type: jpg, jpeg, bmp, png."),
    gettext_noop("The card image2 must be a file of type: jpg, jpeg, bmp, png."),
    gettext_noop("The card image1 may not be greater than 10240 kilobytes."),
    gettext_noop("The card image2 may not be greater than 10240 kilobytes."),
    gettext_noop("The submitted file is empty."),
    # Payment: quotes and orders (trading)
    gettext_noop("Your account is inactive."),
    gettext_noop("Your account is not allowed to trade."),
    gettext_noop("This action is not available due Self Delete Account procedure."),
    gettext_noop("Operation not available!"),
    gettext_noop("This quote has expired."),
    gettext_noop("This quote is already processed."),
    gettext_noop("The user's KYC level is below the level this order requires."),
)
