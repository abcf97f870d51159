"""Demo banks, cards and wallets for `manage.py demo_seed`: the demo user gets a confirmed bank, a card
waiting for review (with two generated images, to see in the admin's review queue) and a confirmed ETH wallet."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from trading.selectors import asset_get

from . import instruments
from .demo import STAFF, VERIFIED
from .models import Bank, Card, User, Wallet

DEMO_IBAN = "RO49AAAA1B31007593840000"
DEMO_BIC = "AAAAROBU"
DEMO_ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def _card_image(text: str, color: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (340, 214), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 60, 70, 100), fill=(230, 190, 60))  # the chip
    draw.text((20, 150), "•••• •••• •••• 4242", fill=(255, 255, 255))
    draw.text((20, 180), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{text.lower().replace(' ', '-')}.png", buffer.getvalue(), content_type="image/png")


def seed() -> list[str]:
    user = User.objects.get(email=VERIFIED[0])
    staff = User.objects.get(email=STAFF[0])
    bank = Bank.objects.filter(iban=DEMO_IBAN, deleted_at__isnull=True).first()
    if bank is None:
        bank = instruments.bank_create(user=user, bank_name="Demo Bank", iban=DEMO_IBAN, swift=DEMO_BIC, currency="RON")
        instruments.instrument_confirm(instrument=bank, staff=staff)
    if not Card.objects.filter(user=user, deleted_at__isnull=True).exists():
        instruments.card_create(
            user=user,
            alias="DemoCard",
            holder_name="Ana Popescu",
            expiration_month=12,
            expiration_year=2039,
            last_four_digits="4242",
            image_front=_card_image("ANA POPESCU", (30, 70, 160)),
            image_holding=_card_image("Ana holding her card", (90, 90, 90)),
        )
    wallet = Wallet.objects.filter(address=DEMO_ETH, deleted_at__isnull=True).first()
    if wallet is None:
        wallet = instruments.wallet_create(user=user, asset=asset_get("ETH"), address=DEMO_ETH, alias="MainETH")
        instruments.instrument_confirm(instrument=wallet, staff=staff)
    return [
        f"{user.email}: confirmed bank {DEMO_IBAN}, a card pending review (admin → Cards), "
        f"confirmed ETH wallet {DEMO_ETH}"
    ]
