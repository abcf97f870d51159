from django.db import models
from django.db.models import Q


class Asset(models.Model):
    """A coin, token or fiat currency CCPro knows, with the number of decimals its amounts carry."""

    class Kind(models.TextChoices):
        COIN = "coin"
        TOKEN = "token"
        FIAT = "fiat"

    symbol = models.CharField(max_length=16, unique=True, help_text="Reference symbol: XBT for bitcoin, ETH, EUR…")
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    # The chain an asset lives on: a coin is its own chain, a token points at its coin (IPSX → ETH), fiats have none.
    chain = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decimals = models.PositiveSmallIntegerField(help_text="Decimal places amounts of this asset are quantized to.")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Display order within its kind.")

    class Meta:
        ordering = ["position", "symbol"]
        constraints = [
            models.CheckConstraint(condition=Q(decimals__lte=18), name="trading_asset_decimals_max_18"),
            models.CheckConstraint(
                condition=~Q(kind="fiat") | Q(chain__isnull=True), name="trading_asset_fiat_no_chain"
            ),
        ]

    def __str__(self):
        return self.symbol

    @property
    def is_fiat(self) -> bool:
        return self.kind == self.Kind.FIAT

    @property
    def is_crypto(self) -> bool:
        return self.kind != self.Kind.FIAT


from .ledger_models import LedgerAccount, LedgerEntry, LedgerTransaction  # noqa: E402, F401
