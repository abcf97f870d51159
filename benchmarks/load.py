"""Load benchmark: gunicorn (2 workers) on a fresh PostgreSQL database, driven by wrk.

    .venv/bin/python benchmarks/load.py [--duration 15] [--connections 16] [--soak-requests 20000]

Creates `<DATABASE_URL's name>_bench`, migrates and seeds it, serves it with benchmarks.settings (the
project's settings and URLs plus a constant-JSON floor view), and for each target prints requests/s,
p50/p99 latency, errors and the ratio to the floor measured in the same run. Then it sends --soak-requests
requests to the profile and reports the web workers' RSS growth. Targets that the URLconf does not serve
yet are skipped with a line saying so. Figures go to stdout and benchmarks/results/latest.json.

Each issue adds its endpoints to TARGETS (a path, optional method/body, optional seeding code run in
`manage.py shell` that prints JSON values for the path, and the ratio to the floor the issue promises).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.liveserver import LiveServer, database_name  # noqa: E402

EMAIL, PASSWORD = "bench@ccpro.test", "bench-password-1234"


@dataclass
class Target:
    name: str
    path: str  # may use {user} and any key printed by `seed`
    target_ratio: float | None = None  # the promise, as a share of the floor's req/s
    method: str = "GET"
    body: dict | None = None
    auth: bool = True
    # Python run in `manage.py shell` with `user` bound to the benchmark user; prints a JSON object of
    # path values. Runs once, before the target is measured.
    seed: str | None = None


TARGETS = [
    Target("floor (constant JSON, bare DRF view)", "/bench/floor", auth=False),
    Target(
        "price (buy ETH with EUR)",
        "/api/v1/user/{user}/price/buy/EUR/ETH?from_amount=100",
        target_ratio=0.40,
        # CCPRO offers the operations; one simulated poll gives rates, kept fresh for the whole run (no beat).
        seed="""
from platforms.services import default_platform, platform_user_link
from trading.models import RateFeed
from trading.services import operations_enable_defaults, rates_poll
platform_user_link(user=user)
operations_enable_defaults(platform=default_platform())
RateFeed.objects.update_or_create(pk=1, defaults={"provider": "simulated", "max_age_seconds": 86400})
rates_poll()
print("{}")
""",
    ),
    Target(
        "profile",
        "/api/v1/user/{user}",
        target_ratio=0.30,
        seed="""
from platforms.services import platform_user_link
platform_user_link(user=user)
print("{}")
""",
    ),
    # The order list of a user with 10,000 orders (deposits, half of them approved), first page.
    Target(
        "order list (10,000 orders, first page)",
        "/api/v1/user/{user}/order",
        target_ratio=0.20,
        seed="""
import uuid
from decimal import Decimal
from trading.models import Asset
from trading.order_models import Order
eth = Asset.objects.get(symbol="ETH")
Order.objects.bulk_create(
    [
        Order(user=user, status="APPROVED" if i % 2 else "PROCESSING_PAYMENT", type="coin", operation="deposit",
              asset=eth, to_asset=eth, to_amount=Decimal("1.5"), tx_id=f"0xbench{i}", tx_chain=eth)
        for i in range(10_000)
    ],
    batch_size=2000,
)
print("{}")
""",
    ),
    Target(
        "quote create",
        "/api/v1/user/{user}/quote",
        target_ratio=0.15,
        method="POST",
        body={
            "type": "coin",
            "orderType": "buy_with_fiat",
            "orderAmount": "0.5",
            "orderSymbol": "ETH",
            "orderPaymentSymbol": "EUR",
            "orderPaymentType": "bank",
        },
        seed="""
from platforms.services import default_platform, platform_user_link
from trading.models import RateFeed
from trading.services import operations_enable_defaults, rates_poll
platform_user_link(user=user)
operations_enable_defaults(platform=default_platform())
RateFeed.objects.update_or_create(pk=1, defaults={"provider": "simulated", "max_age_seconds": 86400})
rates_poll()
print("{}")
""",
    ),
    # Confirming needs a fresh pending transfer per request: the transfer issue adds a seed making enough of
    # them and a wrk script walking through their ids.
    Target("transfer confirm", "/api/v1/user/{user}/transfer/{transfer}", target_ratio=0.10, method="POST"),
]
SOAK_TARGET = "profile"


# --- wrk ---------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing Debian's wrk package", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        return shutil.which("wrk")
    sys.exit("wrk is needed: apt-get install wrk")


def lua_script(target: Target, token: str | None) -> str:
    lines = [f'wrk.method = "{target.method}"', 'wrk.headers["Accept"] = "application/json"']
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if target.body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = {json.dumps(json.dumps(target.body))}")
    return "\n".join(lines) + "\n"


def _latency_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _latency_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99_ms": _latency_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
    }


def run_wrk(wrk: str, url: str, script: str, *, threads: int, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", handle.name, url]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    return parse_wrk(result.stdout)


# --- memory ------------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {pg or 'PostgreSQL'}; wrk and the server share it"
    )


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per target (after a 3 s warm-up)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--soak-requests", type=int, default=20_000)
    args = parser.parse_args()

    wrk = ensure_wrk()
    name = os.environ.get("BENCH_DATABASE") or f"{database_name()}_bench"
    server = LiveServer(
        name=name, settings="benchmarks.settings", workers=2, log_path=ROOT / "var" / "bench-server.log"
    )
    results: dict = {"machine": machine(), "workers": 2, "duration_s": args.duration, "targets": []}
    print(f"machine: {results['machine']}", flush=True)
    with server:
        user_id = server.seed_user(EMAIL, PASSWORD)
        token = server.authenticate(EMAIL, PASSWORD)
        floor_rps = None
        for target in TARGETS:
            values = {"user": user_id}
            if target.seed:
                code = f"from accounts.models import User\nuser = User.objects.get(pk={user_id!r})\n{target.seed}"
                values.update(json.loads(server.manage_python(code).strip().splitlines()[-1]))
            try:
                path = target.path.format(**values)
            except KeyError as missing:
                print(f"SKIP {target.name}: no seed provides {missing} yet", flush=True)
                results["targets"].append({"name": target.name, "skipped": f"no seed for {missing}"})
                continue
            status, body = server.request(target.method, path, target.body, token=token if target.auth else None)
            if status >= 300:
                reason = f"{target.method} {path} answers {status} {json.dumps(body)[:100]} (not implemented yet?)"
                print(f"SKIP {target.name}: {reason}", flush=True)
                results["targets"].append({"name": target.name, "skipped": reason})
                continue
            script = lua_script(target, token if target.auth else None)
            run_wrk(wrk, server.url + path, script, threads=args.threads, connections=args.connections, duration=3)
            figures = run_wrk(
                wrk,
                server.url + path,
                script,
                threads=args.threads,
                connections=args.connections,
                duration=args.duration,
            )
            if floor_rps is None:
                floor_rps = figures["rps"]
            figures["ratio"] = figures["rps"] / floor_rps
            figures["target_ratio"] = target.target_ratio
            results["targets"].append({"name": target.name, "path": target.path, **figures})
            verdict = ""
            if target.target_ratio is not None:
                verdict = "meets" if figures["ratio"] >= target.target_ratio else "MISSES"
                verdict = f"  {verdict} target {target.target_ratio:.2f}"
            print(
                f"{target.name:42} {figures['rps']:9.1f} req/s  p50 {figures['p50_ms']:7.2f} ms  "
                f"p99 {figures['p99_ms']:7.2f} ms  errors {figures['errors']}  ratio {figures['ratio']:.2f}{verdict}",
                flush=True,
            )

        # Memory: the web workers' RSS before and after --soak-requests requests to the profile.
        soak = next(t for t in TARGETS if t.name == SOAK_TARGET)
        pids = server.worker_pids()
        before = {pid: rss_kb(pid) for pid in pids}
        # wrk runs for a duration, not a count: 5-second rounds until --soak-requests are done.
        script = lua_script(soak, token)
        url = server.url + soak.path.format(user=user_id)
        figures = {"requests": 0, "errors": 0}
        while figures["requests"] < args.soak_requests:
            chunk = run_wrk(wrk, url, script, threads=args.threads, connections=args.connections, duration=5)
            figures["requests"] += chunk["requests"]
            figures["errors"] += chunk["errors"]
        after = {pid: rss_kb(pid) for pid in pids}
        growth = {pid: (after[pid] - before[pid]) / 1024 for pid in pids}
        results["memory"] = {
            "requests": figures["requests"],
            "errors": figures["errors"],
            "rss_before_mb": {str(p): before[p] / 1024 for p in pids},
            "rss_after_mb": {str(p): after[p] / 1024 for p in pids},
            "growth_mb": {str(p): growth[p] for p in pids},
        }
        print(
            f"memory: {figures['requests']} requests to {soak.name}, errors {figures['errors']}; worker RSS "
            + ", ".join(f"{before[p] / 1024:.1f} → {after[p] / 1024:.1f} MB ({growth[p]:+.1f})" for p in pids),
            flush=True,
        )
    out = ROOT / "benchmarks" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"figures written to {out.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
