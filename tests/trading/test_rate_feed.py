"""The three providers, the beat task that polls them, staleness and history compaction."""

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from trading import tasks
from trading.models import Asset, ManualRate, RateFeed, RateSnapshot
from trading.rate_providers import KrakenProvider, RateProviderError, SimulatedProvider
from trading.selectors import rates_current

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded" / "kraken_ticker.json"


class TickerServer:
    """A local HTTP server answering what Kraken answered (recorded), or a failure."""

    def __init__(self, body: bytes, status: int = 200):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/0/public/Ticker"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def kraken():
    servers = []

    def start(body: bytes = RECORDED.read_bytes(), status: int = 200):
        servers.append(TickerServer(body, status))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_kraken_provider_reads_last_trade_prices_and_inverts_fiat_pairs(kraken):
    server = kraken()
    prices = KrakenProvider(server.url).fetch(["XBT", "ETH", "USD", "CHF", "RON", "IPSX"], now=0)
    assert prices["XBT"] == Decimal("61250.10000")
    assert prices["ETH"] == Decimal("2875.51000")
    assert prices["USD"] == Decimal(1) / Decimal("1.08415")
    assert prices["CHF"] == Decimal(1) / Decimal("0.94180")
    assert "RON" not in prices and "IPSX" not in prices  # not quoted on Kraken
    query = parse_qs(urlsplit(server.requests[0]).query)
    assert query["pair"] == ["XBTEUR,ETHEUR,EURUSD,EURCHF"]


@pytest.mark.parametrize(
    "body, status",
    [
        (b'{"error":["EQuery:Unknown asset pair"]}', 200),
        (b"<html>bad gateway</html>", 502),
        (b"not json", 200),
        (b'{"error":[],"result":[]}', 200),
    ],
)
def test_kraken_failures_raise_provider_errors(kraken, body, status):
    with pytest.raises(RateProviderError):
        KrakenProvider(kraken(body, status).url).fetch(["XBT"], now=0)


def test_kraken_unreachable_is_a_provider_error():
    with pytest.raises(RateProviderError):
        KrakenProvider("http://127.0.0.1:9/0/public/Ticker", timeout=1).fetch(["XBT"], now=0)


def test_poll_task_with_kraken_stores_snapshots_and_falls_back_to_manual_rates(kraken, admin_user):
    server = kraken()
    RateFeed.objects.filter(pk=1).update(provider="kraken", kraken_url=server.url)
    ManualRate.objects.create(asset=Asset.objects.get(symbol="RON"), price=Decimal("0.2011"))
    stored = tasks.rates_poll_task.delay()
    assert stored.get() == 5  # XBT, ETH, USD, CHF from Kraken; RON from the manual rate; no IPSX anywhere
    current = rates_current()
    assert current["XBT"][0] == Decimal("61250.1") and current["RON"][0] == Decimal("0.2011")
    assert "IPSX" not in current
    assert set(RateSnapshot.objects.values_list("source", flat=True)) == {"kraken"}


def test_poll_with_a_failing_provider_stores_nothing(kraken):
    RateFeed.objects.filter(pk=1).update(provider="kraken", kraken_url=kraken(b"oops", 500).url)
    assert tasks.rates_poll_task.delay().get() == 0
    assert not RateSnapshot.objects.exists()


def test_manual_provider_uses_staff_rates():
    RateFeed.objects.filter(pk=1).update(provider="manual")
    ManualRate.objects.create(asset=Asset.objects.get(symbol="XBT"), price=Decimal("50000"))
    assert tasks.rates_poll_task.delay().get() == 1
    assert RateSnapshot.objects.get().price == Decimal("50000")
    assert RateSnapshot.objects.get().source == "manual"


def test_simulated_provider_is_deterministic_per_seed_and_instant():
    now = 1_700_000_000
    a, b, c = SimulatedProvider(42), SimulatedProvider(42), SimulatedProvider(7)
    symbols = ["XBT", "ETH", "IPSX", "USD", "RON", "CHF"]
    assert a.fetch(symbols, now=now) == b.fetch(symbols, now=now)
    assert a.fetch(symbols, now=now) != c.fetch(symbols, now=now)
    assert a.fetch(symbols, now=now) != a.fetch(symbols, now=now + 3600)
    assert all(isinstance(p, Decimal) and p > 0 for p in a.fetch(symbols, now=now).values())
    assert a.fetch(["DOGE"], now=now) == {}


def test_simulated_poll_stores_one_snapshot_per_active_asset():
    Asset.objects.filter(symbol="CHF").update(active=False)
    assert tasks.rates_poll_task.delay().get() == 5  # XBT ETH IPSX USD RON: not CHF, not EUR (the reference)
    assert set(RateSnapshot.objects.values_list("asset__symbol", flat=True)) == {"XBT", "ETH", "IPSX", "USD", "RON"}


def test_compaction_keeps_one_snapshot_per_hour_for_old_history():
    xbt = Asset.objects.get(symbol="XBT")
    now = 1_800_000_000 - 1_800_000_000 % 3600
    old = [RateSnapshot(asset=xbt, price=Decimal(1 + i), source="t", ts=now - 5 * 86400 + i * 600) for i in range(12)]
    recent = [RateSnapshot(asset=xbt, price=Decimal(1), source="t", ts=now - 600 * i) for i in range(6)]
    RateSnapshot.objects.bulk_create(old + recent)
    deleted = tasks.services.rate_snapshots_compact(now=now)
    assert deleted == 10  # 12 old snapshots spread over two hours keep 2; the recent ones stay
    assert RateSnapshot.objects.filter(ts__lt=now - 2 * 86400).count() == 2
    assert RateSnapshot.objects.filter(ts__gte=now - 2 * 86400).count() == 6
    kept = sorted(RateSnapshot.objects.filter(ts__lt=now - 2 * 86400).values_list("price", flat=True))
    assert kept == [Decimal(6), Decimal(12)]  # the last of each hour


def test_current_rates_are_cached(django_assert_num_queries):
    tasks.rates_poll_task.delay()
    rates_current()
    with django_assert_num_queries(0):
        assert rates_current()["XBT"][0] > 0
    assert json.dumps(str(rates_current()["EUR"][0])) == '"1"'
    assert abs(rates_current()["EUR"][1] - time.time()) < 5
