"""`widget_message`: a refusal or validation message shown by the checkout widget, in the widget's language.

Services and the API's input rules word their messages in English (they are the API's contract); the widget
translates them when it shows them. A message is a msgid of the catalogue when it is listed in
`platforms/checkout_messages.py`; one that is not shows in English."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def widget_message(message) -> str:
    text = str(message)
    return gettext(text) if text else text
