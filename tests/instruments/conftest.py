import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import selectors
from accounts.models import Bank, Card, Wallet
from ccpro.uploads.models import StoredFile
from trading.models import Asset

# Valid test data: IBANs with correct checksums, BICs of the same country, EIP-55 checksummed addresses.
IBAN_RO = "RO49AAAA1B31007593840000"
BIC_RO = "INGBROBU"
IBAN_DE = "DE89370400440532013000"
BIC_DE = "COBADEFFXXX"
ETH_ADDRESSES = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
]
BTC_P2PKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
BTC_BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BTC_TAPROOT = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"

_counter = itertools.count(1)


def png_bytes(size=(40, 24), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=1 if mode == "1" else (20, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_upload(name="card.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type=content_type)


def card_body(**overrides):
    body = {
        "cardImage1": image_upload("front.png"),
        "cardImage2": image_upload("holding.png"),
        "holderName": "Ana Pop",
        "expirationDate": "12/39",
        "lastFourDigits": "4242",
        "alias": "MyFavoriteCard",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def make_bank(user, *, iban=IBAN_RO, status="PENDING", **fields):
    return Bank.objects.create(
        user=user,
        bank_name=fields.pop("bank_name", "ING Bank"),
        iban=iban,
        swift=fields.pop("swift", BIC_RO),
        currency=fields.pop("currency", "RON"),
        status=status,
        **fields,
    )


def make_card(user, *, status="PENDING", **fields):
    files = [
        StoredFile.objects.create(
            owner=user, purpose=purpose, file=f"private/test-{next(_counter)}.png", content_type="image/png", size=1
        )
        for purpose in ("card_front", "card_holding")
    ]
    return Card.objects.create(
        user=user,
        alias=fields.pop("alias", "card"),
        holder_name=fields.pop("holder_name", "Ana Pop"),
        expiration_month=12,
        expiration_year=2039,
        last_four_digits=fields.pop("last_four_digits", "4242"),
        image_front=files[0],
        image_holding=files[1],
        status=status,
        **fields,
    )


def make_wallet(user, *, coin="ETH", address=None, alias=None, status="PENDING"):
    return Wallet.objects.create(
        user=user,
        asset=Asset.objects.get(symbol=coin),
        address=address or ETH_ADDRESSES[next(_counter) % len(ETH_ADDRESSES)],
        alias=alias or f"wallet{next(_counter)}",
        status=status,
    )


@pytest.fixture(autouse=True)
def _seeded_assets(db):
    """The assets trading's data migration seeds; a transactional test elsewhere may have flushed them."""
    for symbol, name, kind, decimals in (("XBT", "Bitcoin", "coin", 8), ("ETH", "Ether", "coin", 18)):
        coin, _ = Asset.objects.get_or_create(
            symbol=symbol, defaults={"name": name, "kind": kind, "decimals": decimals}
        )
        if coin.chain_id is None:
            Asset.objects.filter(pk=coin.pk).update(chain=coin)
    eth = Asset.objects.get(symbol="ETH")
    Asset.objects.get_or_create(symbol="IPSX", defaults={"name": "IPSX", "kind": "token", "decimals": 18, "chain": eth})
    Asset.objects.get_or_create(symbol="EUR", defaults={"name": "Euro", "kind": "fiat", "decimals": 2})


@pytest.fixture
def used_instruments():
    """Stands in for the orders issue's usage check: instruments put in this set count as used by an order."""
    used = set()

    def check(instrument):
        return instrument.pk in used

    selectors.instrument_usage_check_register(check)
    yield used
    selectors.instrument_usage_check_unregister(check)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files_on_disk(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
