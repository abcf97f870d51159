"""Where current prices come from. Every provider answers the same question: the price of one unit of each
asked asset in the reference fiat (EUR), as Decimals. The beat task (`services.rates_poll`) asks the provider
configured in the admin (`RateFeed`) and stores what it gets as snapshots.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from typing import Protocol

REFERENCE_FIAT = "EUR"


class RateProviderError(Exception):
    """The provider could not answer (network, HTTP or payload error)."""


class RateProvider(Protocol):
    name: str

    def fetch(self, symbols: list[str], *, now: int) -> dict[str, Decimal]:
        """Prices in EUR of the symbols it knows (others are simply absent); raises RateProviderError."""


class ManualProvider:
    """Rates staff typed into the admin (`ManualRate`)."""

    name = "manual"

    def fetch(self, symbols: list[str], *, now: int) -> dict[str, Decimal]:
        from .models import ManualRate

        rows = ManualRate.objects.filter(asset__symbol__in=symbols).values_list("asset__symbol", "price")
        return {symbol: price for symbol, price in rows}


# Demo base prices in EUR and how much they swing (share of the price).
SIMULATED_BASES = {  # float-ok: swings shape a made-up demo curve; prices are Decimal strings
    "XBT": ("61250", 0.06),
    "ETH": ("2875", 0.08),
    "IPSX": ("0.00006304", 0.15),
    "USD": ("0.92", 0.01),
    "RON": ("0.201", 0.005),
    "CHF": ("1.05", 0.01),
}


class SimulatedProvider:
    """A deterministic demo market: the price is a pure function of (seed, symbol, time).

    Two slow waves plus a per-minute jitter, all derived from the seed, so a demo, a test or a backfill of the
    history gets the same numbers for the same instant. The arithmetic is float (it is a made-up curve); the
    result is rounded to 10 significant digits and handed over as a Decimal, as a real feed's strings would be.
    """

    name = "simulated"

    def __init__(self, seed: int = 42):
        self.seed = seed

    def _rng(self, *parts) -> random.Random:
        digest = hashlib.sha256(":".join(str(p) for p in (self.seed, *parts)).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def price_at(self, symbol: str, ts: int) -> Decimal | None:
        if symbol not in SIMULATED_BASES:
            return None
        base, swing = SIMULATED_BASES[symbol]
        shape = self._rng(symbol)
        phase_week, phase_day = shape.uniform(0, 2 * math.pi), shape.uniform(0, 2 * math.pi)
        week = math.sin(2 * math.pi * ts / (7 * 86400) + phase_week)
        day = math.sin(2 * math.pi * ts / 86400 + phase_day)
        jitter = self._rng(symbol, ts // 60).uniform(-1, 1)
        factor = 1 + swing * (0.6 * week + 0.3 * day + 0.1 * jitter)  # float-ok: demo curve, rounded to a Decimal
        return (Decimal(base) * Decimal(f"{factor:.10g}")).normalize()

    def fetch(self, symbols: list[str], *, now: int) -> dict[str, Decimal]:
        prices = {symbol: self.price_at(symbol, now) for symbol in symbols}
        return {symbol: price for symbol, price in prices.items() if price is not None}


# Kraken names bitcoin XBT, as the reference does. symbol → (pair asked, result keys accepted, inverted):
# fiats are quoted as EUR→fiat (EURUSD), so their EUR price is the inverse.
KRAKEN_PAIRS = {
    "XBT": ("XBTEUR", ("XXBTZEUR", "XBTEUR"), False),
    "ETH": ("ETHEUR", ("XETHZEUR", "ETHEUR"), False),
    "USD": ("EURUSD", ("ZEURZUSD", "EURUSD"), True),
    "CHF": ("EURCHF", ("EURCHF", "ZEURZCHF"), True),
}


class KrakenProvider:
    """Kraken's public Ticker (`GET /0/public/Ticker?pair=…`, no key needed): the last trade price `c[0]`."""

    name = "kraken"

    def __init__(self, url: str, *, timeout: float = 5.0):  # float-ok: seconds
        self.url = url
        self.timeout = timeout

    def fetch(self, symbols: list[str], *, now: int) -> dict[str, Decimal]:
        wanted = [s for s in symbols if s in KRAKEN_PAIRS]
        if not wanted:
            return {}
        query = urllib.parse.urlencode({"pair": ",".join(KRAKEN_PAIRS[s][0] for s in wanted)})
        try:
            with urllib.request.urlopen(f"{self.url}?{query}", timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read(1_000_000))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RateProviderError(f"Kraken ticker unreachable: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("error") or not isinstance(payload.get("result"), dict):
            raise RateProviderError(f"Kraken ticker error: {str(payload)[:200]}")
        result = payload["result"]
        prices = {}
        for symbol in wanted:
            _pair, keys, inverted = KRAKEN_PAIRS[symbol]
            ticker = next((result[k] for k in keys if k in result), None)
            try:
                last = Decimal(str(ticker["c"][0]))
            except (TypeError, KeyError, IndexError, InvalidOperation):
                continue
            if not last.is_finite() or last <= 0:
                continue
            prices[symbol] = (Decimal(1) / last) if inverted else last
        return prices


def provider_for(feed) -> RateProvider:
    """The provider a `RateFeed` row names."""
    if feed.provider == "kraken":
        return KrakenProvider(feed.kraken_url)
    if feed.provider == "manual":
        return ManualProvider()
    return SimulatedProvider(feed.simulated_seed)
