"""System checks of the trading app.

`manage.py check --deploy`: the house's receiving bank account (`settings.HOUSE_BANK_ACCOUNT`, from the
HOUSE_BANK_* variables) is where every buyer paying by bank transfer is told to send the money, on the order page
and on the signed bank-confirm page of the orders' `payment.url`. A deployment without it shows "do not send money"
to every such buyer, and one with a mistyped IBAN sends their money nowhere: both are errors, not warnings.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from accounts.instrument_rules import RuleError, bic_matches_iban, bic_normalise, iban_normalise


def _error(msg: str, hint: str, number: int) -> Error:
    return Error(msg, hint=hint, id=f"trading.E{number:03d}")


@register("payments", deploy=True)
def house_bank_account_check(app_configs=None, **kwargs) -> list[Error]:
    """The house's receiving account is set (beneficiary and IBAN) and valid: the IBAN's country format and
    checksum (schwifty, as users' banks are checked) and, when a SWIFT/BIC is given, its format and that it
    belongs to the IBAN's country."""
    account = {key: str(value or "").strip() for key, value in getattr(settings, "HOUSE_BANK_ACCOUNT", {}).items()}
    problems = []
    if not account.get("beneficiary"):
        problems.append(
            _error(
                "The house's bank account has no beneficiary.",
                "Set HOUSE_BANK_BENEFICIARY: the account holder's name buyers paying by bank transfer write.",
                1,
            )
        )
    iban = None
    if not account.get("iban"):
        problems.append(
            _error(
                "The house's bank account has no IBAN.",
                "Set HOUSE_BANK_IBAN: the account buyers paying by bank transfer send the money to.",
                2,
            )
        )
    else:
        try:
            iban = iban_normalise(account["iban"])
        except RuleError:
            problems.append(
                _error(
                    f"HOUSE_BANK_IBAN {account['iban']!r} is not a valid IBAN (country format or checksum).",
                    "Copy the IBAN from the bank's contract; spaces are allowed.",
                    3,
                )
            )
    if account.get("swift"):
        try:
            bic = bic_normalise(account["swift"])
        except RuleError:
            problems.append(
                _error(
                    f"HOUSE_BANK_SWIFT {account['swift']!r} is not a valid SWIFT/BIC code.",
                    "Give the bank's 8- or 11-character BIC, or leave HOUSE_BANK_SWIFT empty.",
                    4,
                )
            )
        else:
            if iban is not None and not bic_matches_iban(bic, iban):
                problems.append(
                    _error(
                        f"HOUSE_BANK_SWIFT {account['swift']!r} is not of the IBAN's country ({iban.country_code}).",
                        "The BIC and the IBAN must name the same bank account.",
                        5,
                    )
                )
    return problems
