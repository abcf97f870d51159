"""The hosted bank-confirm page of an order paid by bank transfer: its signed link (the orders' `payment.url`) and
the house's receiving account it tells the buyer to pay into (docs/decisions.md, Orders).

Link: `SITE_URL/payment/bank-confirm?order=<order uuid>&signature=<hex>`, the reference's shape. `signature` is
the hex HMAC-SHA256 of the link's path and query without the signature (`/payment/bank-confirm?order=<uuid>`), as
the quote's confirmUrl signs its path and query, but under a key derived from SECRET_KEY for this purpose only:
a quote or KYC link signature never verifies here, nor the other way round. The link names one order and is the
credential of its page (no session needed): it shows that order's payment instructions and takes its proof.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from functools import lru_cache

from django.conf import settings

from ccpro import errors

from .models import Operation
from .order_models import Order, PaymentType

BANK_CONFIRM_PATH = "/payment/bank-confirm"
# Plain strings: comparing to the choices' enum members costs twice as much, once per order of every list page.
_BUY_WITH_FIAT = str(Operation.BUY_WITH_FIAT)
_BANK = str(PaymentType.BANK)
_PURPOSE = b"ccpro.trading.payment-page:bank-confirm"


@lru_cache(maxsize=4)
def _signer(secret_key: str) -> hmac.HMAC:
    """HMAC-SHA256 under this purpose's key, derived from SECRET_KEY (an HMAC of a fixed label). Built once per
    SECRET_KEY and copied per link: a list of 25 bank purchases derives nothing again."""
    key = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _signature(path_and_query: str, *, secret_key: str | None = None) -> str:
    signer = _signer(settings.SECRET_KEY if secret_key is None else secret_key).copy()
    signer.update(path_and_query.encode())
    return signer.hexdigest()


def _path(order_id) -> str:
    # An order id as the link carries it: a UUID needs no escaping; any other text fails the UUID parse later.
    return f"{BANK_CONFIRM_PATH}?order={order_id}"


def bank_confirm_carried(order) -> bool:
    """Whether the order has a bank-confirm page: a purchase paid by the user's bank transfer. Card payments,
    sales paid out to the user's bank, crypto-funded orders, withdrawals, deposits and transfers have none."""
    return order.operation == _BUY_WITH_FIAT and order.payment_method == _BANK


def bank_confirm_url(order) -> str | None:
    """`payment.url` of an order body: the signed link of its bank-confirm page, or None (an `Order` or the order
    list's row: it reads `pk`, `operation` and `payment_method`)."""
    if not bank_confirm_carried(order):
        return None
    path = _path(order.pk)
    return f"{settings.SITE_URL}{path}&signature={_signature(path)}"


def _signature_valid(path_and_query: str, signature: str) -> bool:
    """Whether `signature` signs the path and query under SECRET_KEY or one of SECRET_KEY_FALLBACKS (compared in
    constant time): rotating the key keeps the links already sent (in mails, on partners' pages) working for as
    long as the old key stays a fallback. Links are always made under SECRET_KEY."""
    given = signature.encode()
    keys = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return any(hmac.compare_digest(_signature(path_and_query, secret_key=key).encode(), given) for key in keys)


def order_from_bank_confirm_link(*, query) -> Order:
    """The order a bank-confirm link names, if its signature is valid (compared in constant time, under SECRET_KEY
    or a fallback) and the order still has such a page; NotFound otherwise (missing, malformed or tampered
    parameters, unknown order)."""
    raw = str(query.get("order", ""))
    if not _signature_valid(_path(raw), str(query.get("signature", ""))):
        raise errors.NotFound()
    try:
        order_id = uuid.UUID(raw)
    except ValueError:
        raise errors.NotFound() from None
    order = Order.objects.select_related("user", "from_asset", "to_asset").filter(pk=order_id).first()
    if order is None or not bank_confirm_carried(order):
        raise errors.NotFound()
    return order


def house_bank_account() -> dict:
    """The house's receiving account, `settings.HOUSE_BANK_ACCOUNT` (beneficiary, bank, IBAN, SWIFT): where a
    buyer paying by bank transfer sends the money. `configured` is False when no IBAN is set (production without
    the HOUSE_BANK_* variables): the pages then say so instead of showing an account."""
    account = {key: str(value or "") for key, value in getattr(settings, "HOUSE_BANK_ACCOUNT", {}).items()}
    for key in ("beneficiary", "bank", "iban", "swift"):
        account.setdefault(key, "")
    account["configured"] = bool(account["iban"] and account["beneficiary"])
    return account
