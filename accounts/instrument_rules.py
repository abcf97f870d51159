"""Format rules of banks, cards and wallets, each done with a maintained library where one exists.

- IBAN (checksum, per-country length and structure) and BIC: schwifty.
- ISO 4217 currency codes: pycountry.
- Ethereum addresses (EIP-55 checksum): eth-utils.
- Bitcoin addresses (base58check P2PKH/P2SH, bech32 v0 and bech32m v1+ segwit, BIP-173/350): embit.

Every function raises `RuleError` with a message in the reference's words, or returns the normalised value.
"""

import re
from datetime import date

import pycountry
from embit import base58 as embit_base58
from embit import bech32 as embit_bech32
from embit.networks import NETWORKS
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException


class RuleError(ValueError):
    pass


# --- Banks ---------------------------------------------------------------------------------------

# An IBAN of these countries may come with a BIC registered under a territory of theirs.
_BIC_TERRITORIES = {
    "GB": {"GB", "JE", "GG", "IM"},
    "FR": {"FR", "GF", "GP", "MQ", "RE", "YT", "NC", "PF", "PM", "WF", "BL", "MF", "TF"},
    "FI": {"FI", "AX"},
}
# ISO 4217 codes that are not money a bank account is kept in (test, "no currency", metals, units).
_NOT_ACCOUNT_CURRENCIES = {"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"}


def iban_normalise(value: str) -> IBAN:
    """A valid IBAN (spaces allowed on input, as printed on statements), compact and upper case."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact.isalnum() or not compact.isascii():
        raise RuleError("The {attr} may only contain letters and numbers.")
    try:
        return IBAN(compact)
    except SchwiftyException:
        raise RuleError("The {attr} is not a valid IBAN.")


def bic_normalise(value: str) -> BIC:
    compact = (value or "").strip().upper()
    if not compact.isalnum() or not compact.isascii():
        raise RuleError("The {attr} may only contain letters and numbers.")
    if not 8 <= len(compact) <= 11:
        raise RuleError("The {attr} must be between 8 and 11 characters.")
    if len(compact) not in (8, 11):
        raise RuleError("The {attr} must be 8 or 11 characters.")
    try:
        return BIC(compact)
    except SchwiftyException:
        raise RuleError("The {attr} is not a valid SWIFT/BIC code.")


def bic_matches_iban(bic: BIC, iban: IBAN) -> bool:
    return bic.country_code in _BIC_TERRITORIES.get(iban.country_code, {iban.country_code})


def currency_normalise(value: str) -> str:
    code = (value or "").strip().upper()
    if not (len(code) == 3 and code.isalpha() and code.isascii()) or code in _NOT_ACCOUNT_CURRENCIES:
        raise RuleError("The selected {attr} is invalid.")
    if pycountry.currencies.get(alpha_3=code) is None:
        raise RuleError("The selected {attr} is invalid.")
    return code


# --- Cards ---------------------------------------------------------------------------------------

_EXPIRATION = re.compile(r"^(0[1-9]|1[0-2])/(\d{2})$")
_DIGIT_RUN = re.compile(r"\d[\d \-]{11,}\d")


def card_expiration_parse(value: str, *, today: date) -> tuple[int, int]:
    """`MM/YY` → (month, four-digit year). A card is valid through the last day of its month."""
    match = _EXPIRATION.match((value or "").strip())
    if not match:
        raise RuleError("The {attr} does not match the format m/y.")
    month, year = int(match.group(1)), 2000 + int(match.group(2))
    if (year, month) < (today.year, today.month):
        raise RuleError("The {attr} must be a date after or equal to today.")
    return month, year


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def contains_card_number(value: str) -> bool:
    """Whether free text carries something shaped like a full card number (13–19 digits passing Luhn)."""
    for run in _DIGIT_RUN.findall(value or ""):
        digits = re.sub(r"\D", "", run)
        for length in range(13, 20):
            for start in range(0, len(digits) - length + 1):
                if _luhn_valid(digits[start : start + length]):
                    return True
    return False


# --- Wallet addresses ----------------------------------------------------------------------------

_BTC = NETWORKS["main"]
# Chains without a dedicated library rule: the reference's alpha_num, with a plausible address length.
_GENERIC_ADDRESS = re.compile(r"^[A-Za-z0-9]{20,128}$")


def _ethereum_address(value: str) -> str:
    if not value.startswith("0x") or not is_hex_address(value):
        raise RuleError("The {attr} is not a valid {chain} address.")
    body = value[2:]
    # All lower or all upper case carries no checksum; mixed case must be a correct EIP-55 checksum.
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise RuleError("The {attr} checksum is invalid.")
    return to_checksum_address(value)


def _bitcoin_address(value: str) -> str:
    if value.lower().startswith(_BTC["bech32"] + "1"):
        version, program = embit_bech32.decode(_BTC["bech32"], value)
        if version is None or program is None:
            raise RuleError("The {attr} is not a valid {chain} address.")
        return value.lower()
    try:
        payload = embit_base58.decode_check(value)
    except Exception:  # noqa: BLE001 - any decoding failure is simply not an address
        raise RuleError("The {attr} is not a valid {chain} address.")
    if len(payload) != 21 or payload[:1] not in (_BTC["p2pkh"], _BTC["p2sh"]):
        raise RuleError("The {attr} is not a valid {chain} address.")
    return value


def _generic_address(value: str) -> str:
    if not _GENERIC_ADDRESS.match(value):
        raise RuleError("The {attr} is not a valid {chain} address.")
    return value


# Keyed by the symbol of the chain's coin (trading.Asset.chain): XBT is Bitcoin, ETH is Ethereum and its tokens.
ADDRESS_RULES = {"XBT": _bitcoin_address, "BTC": _bitcoin_address, "ETH": _ethereum_address}


def wallet_address_normalise(value: str, *, chain_symbol: str) -> str:
    """The address in its canonical form for the chain, or RuleError. Mainnet only."""
    address = (value or "").strip()
    if not address.isalnum() or not address.isascii():
        raise RuleError("The {attr} may only contain letters and numbers.")
    rule = ADDRESS_RULES.get(chain_symbol.upper(), _generic_address)
    try:
        return rule(address)
    except RuleError as error:
        raise RuleError(str(error).replace("{chain}", chain_symbol.upper()))
