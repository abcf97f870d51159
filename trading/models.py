from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


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


class Operation(models.TextChoices):
    """The reference's operation names (`typeOperationName`, the keys of `operations`)."""

    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"
    BUY_WITH_FIAT = "buy_with_fiat"
    SELL_TO_FIAT = "sell_to_fiat"
    BUY_WITH_CRYPTO = "buy_with_crypto"
    SELL_TO_CRYPTO = "sell_to_crypto"
    WITHDRAW_ICO = "withdrawIco"


# Operations whose amounts are converted at a market rate: they are unavailable while the feed is stale.
RATE_DEPENDENT_OPERATIONS = frozenset(
    {Operation.BUY_WITH_FIAT, Operation.SELL_TO_FIAT, Operation.BUY_WITH_CRYPTO, Operation.SELL_TO_CRYPTO}
)
# Operations that may have a `Particular` configuration per fiat.
FIAT_OPERATIONS = frozenset({Operation.BUY_WITH_FIAT, Operation.SELL_TO_FIAT})

PERCENT = {"max_digits": 7, "decimal_places": 4}
AMOUNT = {"max_digits": 38, "decimal_places": 18}


class OperationConfig(models.Model):
    """Whether a platform offers one operation on one crypto asset, its limits and its commission.

    `fiat` empty: a `General` entry; `fiat` set: a `Particular` entry for that fiat (buy_with_fiat and
    sell_to_fiat), which takes precedence over the General one for that fiat.
    """

    platform = models.ForeignKey("platforms.Platform", on_delete=models.CASCADE, related_name="operation_configs")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="operation_configs")
    operation = models.CharField(max_length=16, choices=Operation.choices)
    fiat = models.ForeignKey(
        Asset,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Asset.Kind.FIAT},
        help_text="Empty for a General entry; a fiat for a Particular one.",
    )
    status = models.BooleanField(default=True)
    crypto_min = models.DecimalField(**AMOUNT, null=True, blank=True)
    crypto_max = models.DecimalField(**AMOUNT, null=True, blank=True)
    fiat_min = models.DecimalField(**AMOUNT, null=True, blank=True)
    fiat_max = models.DecimalField(**AMOUNT, null=True, blank=True)
    commission_percent = models.DecimalField(**PERCENT, default=0, help_text="0 ≤ percent < 100.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["platform", "asset", "fiat", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "asset", "operation"],
                condition=Q(fiat__isnull=True),
                name="trading_opconfig_general_unique",
            ),
            models.UniqueConstraint(
                fields=["platform", "asset", "operation", "fiat"],
                condition=Q(fiat__isnull=False),
                name="trading_opconfig_particular_unique",
            ),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0, commission_percent__lt=100),
                name="trading_opconfig_commission_range",
            ),
            models.CheckConstraint(
                condition=Q(crypto_min__isnull=True) | Q(crypto_max__isnull=True) | Q(crypto_min__lte=F("crypto_max")),
                name="trading_opconfig_crypto_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(fiat_min__isnull=True) | Q(fiat_max__isnull=True) | Q(fiat_min__lte=F("fiat_max")),
                name="trading_opconfig_fiat_min_le_max",
            ),
        ]

    def __str__(self):
        scope = self.fiat.symbol if self.fiat_id else "General"
        return f"{self.platform.code} {self.asset.symbol} {self.operation} ({scope})"


class SecondOperation(models.Model):
    """An operation chained after another (`secondOperations`: a buy followed by a withdraw)."""

    config = models.ForeignKey(OperationConfig, on_delete=models.CASCADE, related_name="second_operations")
    operation = models.CharField(
        max_length=16, choices=[(Operation.WITHDRAW, "withdraw"), (Operation.WITHDRAW_ICO, "withdrawIco")]
    )
    mandatory = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["config", "operation"], name="trading_secondop_unique")]

    def __str__(self):
        return f"{self.operation} ({'mandatory' if self.mandatory else 'optional'})"


class PaymentMethod(models.Model):
    """A way a platform's users pay or get paid in fiat (`paymentMethods.bank|card` of Platform Show)."""

    class Kind(models.TextChoices):
        BANK = "bank"
        CARD = "card"

    platform = models.ForeignKey("platforms.Platform", on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    name = models.CharField(max_length=64, help_text="Processor (MobilPay) or bank currency name (EUR).")
    fiat = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": Asset.Kind.FIAT}
    )
    status = models.BooleanField(default=True)
    first_max_order_value = models.DecimalField(**AMOUNT, null=True, blank=True)
    lower_status = models.BooleanField(default=False)
    lower_value = models.DecimalField(**AMOUNT, null=True, blank=True)
    upper_status = models.BooleanField(default=False)
    upper_value = models.DecimalField(**AMOUNT, null=True, blank=True)
    fee_percent = models.DecimalField(**PERCENT, default=0)
    fee_fixed = models.DecimalField(**AMOUNT, default=0, help_text="In the fiat of the method.")
    fee_on_top = models.BooleanField(default=False, help_text="The user pays the fee on top of the amounts.")

    class Meta:
        ordering = ["platform", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "kind", "fiat"], name="trading_paymethod_unique"),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0, fee_percent__lt=100, fee_fixed__gte=0),
                name="trading_paymethod_fee_range",
            ),
        ]

    def __str__(self):
        return f"{self.platform.code} {self.kind} {self.name} ({self.fiat.symbol})"


class UserPricing(models.Model):
    """A per-user discount on commissions (percent of the commission waived)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pricing")
    discount_percent = models.DecimalField(**PERCENT, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100), name="trading_userpricing_range"
            )
        ]

    def __str__(self):
        return f"{self.user_id}: {self.discount_percent}%"


class RateFeed(models.Model):
    """The one rate feed configuration (row id 1): which provider the beat task polls, and when rates go stale."""

    class Provider(models.TextChoices):
        MANUAL = "manual", "Manual (rates entered by staff)"
        SIMULATED = "simulated", "Simulated (deterministic demo feed)"
        KRAKEN = "kraken", "Kraken public Ticker"

    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.SIMULATED)
    max_age_seconds = models.PositiveIntegerField(
        default=120, help_text="A rate older than this is stale: the operations priced from it become unavailable."
    )
    kraken_url = models.URLField(default="https://api.kraken.com/0/public/Ticker")
    simulated_seed = models.PositiveIntegerField(default=42)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Rate feed: {self.get_provider_display()}"


class ManualRate(models.Model):
    """A rate entered by staff: the price of one unit of the asset in the reference fiat (EUR)."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="manual_rate")
    price = models.DecimalField(**AMOUNT)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="trading_manualrate_positive")]

    def __str__(self):
        return f"{self.asset.symbol} = {self.price} EUR"


class RateSnapshot(models.Model):
    """One observed price of an asset in the reference fiat (EUR); the history is made of these."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="rate_snapshots")
    price = models.DecimalField(**AMOUNT)
    source = models.CharField(max_length=16)
    # Unix seconds, so history can be bucketed with integer division on any database.
    ts = models.BigIntegerField()

    class Meta:
        ordering = ["-ts"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "ts"], name="trading_snapshot_asset_ts_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="trading_snapshot_positive"),
        ]

    def __str__(self):
        return f"{self.asset_id} {self.price} @ {self.ts}"


from .ledger_models import LedgerAccount, LedgerEntry, LedgerTransaction  # noqa: E402, F401
from .order_models import DepositAddress, Order, OrderStatusChange, Quote  # noqa: E402, F401
from .transfer_models import Transfer, TransferConfig, TransferStatusChange  # noqa: E402, F401
