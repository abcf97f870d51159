"""KYC reads. Until the KYC issue lands, a user has completed nothing: every item is NOT COMPLETED, level 0."""

from datetime import UTC

NOT_COMPLETED = "NOT COMPLETED"

EDD_CHOICES = {
    "transactionsPurpose": ["remittances", "payments", "investments", "savings", "other"],
    "transactionsNatureValue": ["1 - 1000", "1000 - 5000", "5000 - 10000", "10000 - 50000", "+50000"],
    "transactionsNatureFrequency": ["1 - 5", "6 - 10", "11 - 20", "21 - 50", "+50"],
    "fundsSource": ["credit_debit_card", "e_wallet", "bank_account", "mining_wallet", "other"],
    "fundsOrigin": [
        "payroll_funds",
        "dividends_of_business",
        "personal_savings",
        "proceeds_of_investments",
        "proceeds_of_mining",
        "other",
    ],
}


def _unix(value):
    if value is None:
        return None
    from datetime import datetime, time

    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=UTC)
    return int(value.timestamp())


def kyc_summary(*, user) -> dict:
    """The `kyc` part of the profile, in the reference's shape."""
    document = {"status": NOT_COMPLETED, "url": None}
    return {
        "required": "personal",
        "status": NOT_COMPLETED,
        "level": 0,
        "amounts": {"buy": "0", "sell": "0"},
        "amountsNextLevel": {"buy": "0", "sell": "0"},
        "links": {"address": None, "documents": None, "video": None, "enhancedDueDiligence": None},
        "phone": {"required": True, "number": f"+{user.phone}" if user.phone else None, "isVerified": False},
        "personal": {
            "required": True,
            "status": NOT_COMPLETED,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "dateOfBirth": _unix(user.date_of_birth),
        },
        "address": {
            "required": True,
            "emailSent": False,
            "status": NOT_COMPLETED,
            "country": user.country or None,
            "city": user.city,
            "zip": user.zip_code or None,
            "street": user.street,
        },
        "documents": {
            "required": True,
            "emailSent": False,
            "governmentIdFront": dict(document),
            "governmentIdBack": dict(document),
            "passport": dict(document),
            "utilityBill": dict(document),
            "selfieWithId": dict(document),
            "extendedProofOfFunds": [],
            "tempFiles": [],
        },
        "video": {
            "required": False,
            "emailSent": False,
            "status": None,
            "videoFile": None,
            "scheduleDate": None,
            "scheduleDateTimezone": None,
            "cancelScheduleUrl": None,
            "rescheduleUrl": None,
        },
        "enhancedDueDiligence": {
            "required": False,
            "emailSent": False,
            "status": None,
            "eddData": EDD_CHOICES,
            "transactionsPurpose": None,
            "transactionsPurposeOther": None,
            "transactionsNatureValue": None,
            "transactionsNatureFrequency": None,
            "fundsSource": None,
            "fundsSourceOther": None,
            "fundsSourceFile": None,
            "fundsOrigin": None,
            "fundsOriginOther": None,
            "fundsOriginFile": None,
            "createdAt": None,
        },
        "createdAt": _unix(user.created_at),
    }
