"""The events users are notified of: category, channels, and the wording per language.

Later issues (KYC decisions, orders, quotes, transfers, deposits, instruments) call
`notifications.services.notification_create(user=…, event="order_approved", context={…}, meta={…})`; adding an
event means adding an entry here with its `en` and `ro` wording. Placeholders are `str.format` fields filled
from the caller's `context` (missing ones are left empty, never an error).
"""

import string
from dataclasses import dataclass

EMAIL = "email"
SMS = "sms"


@dataclass(frozen=True)
class Event:
    category: str
    channels: tuple[str, ...]
    title: dict[str, str]
    message: dict[str, str]


EVENTS: dict[str, Event] = {
    "order_approved": Event(
        category="order",
        channels=(EMAIL, SMS),
        title={"en": "Order Approved", "ro": "Comandă aprobată"},
        message={
            "en": "Your order {publicId} has been approved",
            "ro": "Comanda ta {publicId} a fost aprobată",
        },
    ),
    "order_rejected": Event(
        category="order",
        channels=(EMAIL, SMS),
        title={"en": "Order Rejected", "ro": "Comandă respinsă"},
        message={
            "en": "Your order {publicId} has been rejected",
            "ro": "Comanda ta {publicId} a fost respinsă",
        },
    ),
    "order_payment_received": Event(
        category="order",
        channels=(EMAIL,),
        title={"en": "Payment Received", "ro": "Plată primită"},
        message={
            "en": "We received the payment for your order {publicId}",
            "ro": "Am primit plata pentru comanda ta {publicId}",
        },
    ),
    "quote_expired": Event(
        category="quote",
        channels=(),
        title={"en": "Quote Expired", "ro": "Ofertă expirată"},
        message={"en": "Your quote {publicId} has expired", "ro": "Oferta ta {publicId} a expirat"},
    ),
    "kyc_accepted": Event(
        category="kyc",
        channels=(EMAIL,),
        title={"en": "Verification Accepted", "ro": "Verificare acceptată"},
        message={
            "en": "Your {step} verification has been accepted",
            "ro": "Verificarea {step} a fost acceptată",
        },
    ),
    "kyc_rejected": Event(
        category="kyc",
        channels=(EMAIL,),
        title={"en": "Verification Rejected", "ro": "Verificare respinsă"},
        message={
            "en": "Your {step} verification has been rejected: {reason}",
            "ro": "Verificarea {step} a fost respinsă: {reason}",
        },
    ),
    "transfer_received": Event(
        category="transfer",
        channels=(EMAIL, SMS),
        title={"en": "Transfer Received", "ro": "Transfer primit"},
        message={
            "en": "You received {amount} {asset} from {sender}",
            "ro": "Ai primit {amount} {asset} de la {sender}",
        },
    ),
    "transfer_completed": Event(
        category="transfer",
        channels=(EMAIL,),
        title={"en": "Transfer Completed", "ro": "Transfer finalizat"},
        message={
            "en": "Your transfer {publicId} has been completed",
            "ro": "Transferul tău {publicId} a fost finalizat",
        },
    ),
    "transfer_requested": Event(
        category="transfer",
        channels=(EMAIL,),
        title={"en": "Transfer Requested", "ro": "Transfer solicitat"},
        message={
            "en": "{requester} asks you to send {amount} {asset}; confirm within {minutes} minutes",
            "ro": "{requester} îți cere să trimiți {amount} {asset}; confirmă în {minutes} minute",
        },
    ),
    "transfer_expired": Event(
        category="transfer",
        channels=(),
        title={"en": "Transfer Expired", "ro": "Transfer expirat"},
        message={
            "en": "The transfer {publicId} expired before it was confirmed",
            "ro": "Transferul {publicId} a expirat înainte de a fi confirmat",
        },
    ),
    "transfer_refused": Event(
        category="transfer",
        channels=(),
        title={"en": "Transfer Refused", "ro": "Transfer refuzat"},
        message={
            "en": "The transfer {publicId} has been refused",
            "ro": "Transferul {publicId} a fost refuzat",
        },
    ),
    "deposit_received": Event(
        category="deposit",
        channels=(EMAIL, SMS),
        title={"en": "Deposit Received", "ro": "Depunere primită"},
        message={
            "en": "Your deposit of {amount} {asset} has been credited",
            "ro": "Depunerea ta de {amount} {asset} a fost creditată",
        },
    ),
    "bank_confirmed": Event(
        category="bank",
        channels=(EMAIL,),
        title={"en": "Bank Account Confirmed", "ro": "Cont bancar confirmat"},
        message={"en": "Your bank account has been confirmed", "ro": "Contul tău bancar a fost confirmat"},
    ),
    "bank_rejected": Event(
        category="bank",
        channels=(EMAIL,),
        title={"en": "Bank Account Rejected", "ro": "Cont bancar respins"},
        message={
            "en": "Your bank account {label} has been rejected: {reason}",
            "ro": "Contul tău bancar {label} a fost respins: {reason}",
        },
    ),
    "card_confirmed": Event(
        category="card",
        channels=(EMAIL,),
        title={"en": "Card Confirmed", "ro": "Card confirmat"},
        message={"en": "Your card has been confirmed", "ro": "Cardul tău a fost confirmat"},
    ),
    "card_rejected": Event(
        category="card",
        channels=(EMAIL,),
        title={"en": "Card Rejected", "ro": "Card respins"},
        message={
            "en": "Your card {label} has been rejected: {reason}",
            "ro": "Cardul tău {label} a fost respins: {reason}",
        },
    ),
    "wallet_confirmed": Event(
        category="wallet",
        channels=(EMAIL,),
        title={"en": "Wallet Confirmed", "ro": "Portofel confirmat"},
        message={"en": "Your wallet has been confirmed", "ro": "Portofelul tău a fost confirmat"},
    ),
    "wallet_rejected": Event(
        category="wallet",
        channels=(EMAIL,),
        title={"en": "Wallet Rejected", "ro": "Portofel respins"},
        message={
            "en": "Your wallet {label} has been rejected: {reason}",
            "ro": "Portofelul tău {label} a fost respins: {reason}",
        },
    ),
    "security_password_changed": Event(
        category="user",
        channels=(EMAIL, SMS),
        title={"en": "Password Changed", "ro": "Parolă schimbată"},
        message={
            "en": "Your password has been changed. If this was not you, contact support.",
            "ro": "Parola ta a fost schimbată. Dacă nu ai fost tu, contactează suportul.",
        },
    ),
}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(text: str, context: dict) -> str:
    """Fill `{name}` fields from context; unknown fields become empty, attribute/index lookups are refused."""
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    if any(not name.isidentifier() for name in names):
        raise ValueError(f"only plain {{name}} fields are allowed: {text!r}")
    return text.format_map(_Blank({key: str(value) for key, value in context.items()}))


def wording(event: Event, language: str, context: dict) -> tuple[str, str]:
    lang = language if language in event.title else "en"
    return render(event.title[lang], context), render(event.message[lang], context)
