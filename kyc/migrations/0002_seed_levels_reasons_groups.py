"""Reference data: CCPRO's five KYC levels, the rejection reason catalogue, and the two staff roles."""

from decimal import Decimal

from django.db import migrations

CCPRO_LEVELS = [
    (1, "Basic", ["email", "phone"], "1000", "1000"),
    (2, "Identity", ["email", "phone", "governmentIdFront", "governmentIdBack", "passport", "utilityBill"], "5000", "5000"),
    (
        3,
        "Video verified",
        ["email", "phone", "governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId", "video"],
        "20000",
        "20000",
    ),
    (
        4,
        "Enhanced",
        [
            "email", "phone", "governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId",
            "video", "enhancedDueDiligence",
        ],
        "50000",
        "50000",
    ),
    (
        5,
        "Extended",
        [
            "email", "phone", "governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId",
            "video", "enhancedDueDiligence", "extendedProofOfFunds",
        ],
        "200000",
        "200000",
    ),
]

REASONS = [
    ("incorrect_data", "Incorrect data (it does not correspond to the document data)."),
    ("incomplete_data", "Incomplete data."),
    ("incorrect_or_incomplete_data", "Incorrect or incomplete data."),
    ("color_photo", "We only accept color photos. The black and white types will not be accepted."),
    ("blurred", "The image is blurred or unreadable. Please upload a sharp photo."),
    ("expired_document", "The document is expired. Please upload a valid document."),
    ("data_mismatch", "The document does not match your personal data."),
    ("incomplete_document", "The whole document must be visible, with all its corners."),
    ("document_too_old", "The document must be issued in the last 3 months."),
    ("face_not_visible", "Your face and the document must both be clearly visible."),
    ("wrong_document", "This is not the requested document type."),
    ("video_failed", "The video verification could not confirm your identity."),
    ("video_missed", "You did not attend the scheduled video call."),
    ("insufficient_proof", "The proof of funds is insufficient."),
]

COMPLIANCE = "Compliance officer"
SUPPORT = "Support"
KYC_MODELS = ["kyclevel", "rejectreason", "kycitem", "kycsubmission", "kycauditentry", "kycstate",
              "staffavailability", "videocall", "kycreview"]


def seed(apps, schema_editor):
    Platform = apps.get_model("platforms", "Platform")
    KycLevel = apps.get_model("kyc", "KycLevel")
    RejectReason = apps.get_model("kyc", "RejectReason")
    platform, _ = Platform.objects.get_or_create(
        code="CCPRO", defaults={"name": "CryptoCoin", "base_url": "https://app.cryptocoin.pro/"}
    )
    for number, name, required, buy, sell in CCPRO_LEVELS:
        KycLevel.objects.get_or_create(
            platform=platform,
            number=number,
            defaults={"name": name, "required": required, "max_buy": Decimal(buy), "max_sell": Decimal(sell)},
        )
    for code, message in REASONS:
        RejectReason.objects.get_or_create(code=code, defaults={"message": message})


def roles(apps, schema_editor):
    """Compliance officers decide (change + decide on items, manage availability and calls); support staff only
    view. Permissions are created here because post_migrate has not run yet on a fresh database."""
    from django.contrib.auth.management import create_permissions

    for label in ("kyc", "accounts"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    kyc_perms = Permission.objects.filter(content_type__app_label="kyc")
    view = list(kyc_perms.filter(codename__startswith="view_"))
    view += list(Permission.objects.filter(content_type__app_label="accounts", codename="view_user"))
    support, _ = Group.objects.get_or_create(name=SUPPORT)
    support.permissions.set(view)
    compliance, _ = Group.objects.get_or_create(name=COMPLIANCE)
    decide = kyc_perms.filter(
        codename__in=[
            "change_kycitem",
            "decide_kycitem",
            "add_staffavailability",
            "change_staffavailability",
            "delete_staffavailability",
            "change_videocall",
            "add_rejectreason",
            "change_rejectreason",
        ]
    )
    compliance.permissions.set([*view, *decide])


class Migration(migrations.Migration):
    dependencies = [("kyc", "0001_initial"), ("platforms", "0002_default_platform"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
