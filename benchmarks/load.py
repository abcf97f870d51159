"""Load benchmark: gunicorn (2 workers) on a fresh PostgreSQL database, driven by wrk.

    .venv/bin/python benchmarks/load.py [--duration 15] [--connections 16] [--soak-requests 20000] [--only NAME[,NAME…]]

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
    # Not targets of the issue, for reading the others: the floor's view on the API's middleware stack (the
    # stricter floor: divide a target's req/s by this line's for its ratio to it), and behind the API's token
    # authentication.
    Target("floor on the API's stack (informational)", "/bench/api/floor", auth=False),
    Target("authenticated floor (ApiView, token lookup)", "/bench/api/user/{user}/floor"),
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
# What autovacuum does within a minute of such a load (after 50 + 10 % of a table's rows change): without
# statistics PostgreSQL takes the user for ~7 rows and sorts all 10,000 for each page (~9 ms) instead of
# reading the first 25 in index order; and the visibility map lets counts read the index alone.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE trading_order")
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
    # Each request confirms another pending transfer (a send the benchmark user created and must confirm): the seed
    # bulk-inserts TRANSFER_SEED of them with one reservation of their sum (what their creations would have
    # reserved, in one ledger transaction) and a life long enough for the run; the wrk script walks the ids,
    # each wrk thread its own slice, so no two requests confirm the same transfer.
    Target(
        "transfer confirm",
        "/api/v1/user/{user}/transfer/{transfer}",
        target_ratio=0.10,
        method="POST",
        body={},
        seed="""
import json, uuid
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from accounts.models import User
from platforms.services import platform_user_link
from trading.ledger import Kind, customer_account, ledger_post, system_account
from trading.models import Asset
from trading.transfer_models import Transfer, new_public_id
platform_user_link(user=user)
payee = User.objects.filter(email="bench-payee@ccpro.test").first() or User.objects.create_user(
    "bench-payee@ccpro.test", "bench-password-1234", is_active=True, email_verified_at=timezone.now())
eth = Asset.objects.get(symbol="ETH")
n, amount, commission = TRANSFER_SEED, Decimal("0.01"), Decimal("0.0001")
ledger_post(idempotency_key="bench:transfer-funding", kind="deposit", legs=[
    (system_account(asset=eth, kind=Kind.OMNIBUS), -amount * n), (customer_account(user=user, asset=eth), amount * n)])
ledger_post(idempotency_key="bench:transfer-reserve", kind="transfer_reserve", legs=[
    (customer_account(user=user, asset=eth), -amount * n),
    (customer_account(user=user, asset=eth, kind=Kind.PENDING), amount * n)])
now = timezone.now()
ids = [uuid.uuid4() for _ in range(n)]
Transfer.objects.bulk_create([
    Transfer(id=i, public_id=new_public_id(), action="send", asset=eth, amount=amount, commission=commission,
             commission_percent=Decimal(1), total=amount - commission, by_user=user, from_user=user, to_user=payee,
             life_seconds=3600, life_until_at=now + timedelta(hours=1), created_at=now)
    for i in ids], batch_size=5000)
print(json.dumps({"transfer": str(ids[0]), "walk": [str(i) for i in ids[1:]]}))
""",
    ),
]
TRANSFER_SEED = 30_000
SOAK_TARGET = "profile"


def seed_code(target: Target, user_id: str) -> str:
    """The Python that seeds `target` for the benchmark user, run in `manage.py shell`."""
    seed = target.seed.replace("TRANSFER_SEED", str(TRANSFER_SEED))
    return f"from accounts.models import User\nuser = User.objects.get(pk={user_id!r})\n{seed}"


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


def walk_script(path_template: str, ids: list[str], threads: int) -> str:
    """wrk Lua: thread k of `threads` requests `path_template % id` for ids k, k+threads, k+2·threads, … once each
    (after the last one it repeats the last, which answers an error counted by wrk)."""
    table = ",".join(json.dumps(i) for i in ids)
    return (
        f"local ids = {{{table}}}\n"
        "local counter = 0\n"
        "function setup(thread) thread:set('offset', counter); counter = counter + 1 end\n"
        "function init(args) index = offset + 1 end\n"
        "function request()\n"
        f"  local id = ids[math.min(index, #ids)]; index = index + {threads}\n"
        f"  return wrk.format(nil, string.format({json.dumps(path_template)}, id))\n"
        "end\n"
    )


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(server: LiveServer) -> list[int]:
    """The PostgreSQL backends serving the benchmark database (the workers' persistent connections)."""
    import psycopg

    with psycopg.connect(server.database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [server.database]
        ).fetchall()
    return [pid for (pid,) in rows]


def server_cpu(server: LiveServer) -> dict[str, dict[int, float]]:
    return {
        "web": {pid: cpu_seconds(pid) for pid in server.worker_pids()},
        "db": {pid: cpu_seconds(pid) for pid in database_backends(server)},
    }


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of server CPU per request: the gunicorn workers' and the database backends' (a backend that
    appeared during the run counts from zero). Unlike req/s this hardly depends on what else the machine runs."""
    spent = {part: sum(after[part][pid] - before[part].get(pid, 0.0) for pid in after[part]) for part in ("web", "db")}
    return {f"{part}_cpu_ms": spent[part] * 1000 / max(requests, 1) for part in spent}


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
    parser.add_argument(
        "--only", help="measure only the targets whose name contains this (comma-separated: one of these) and the floor"
    )
    args = parser.parse_args()

    wrk = ensure_wrk()
    name = os.environ.get("BENCH_DATABASE") or f"{database_name()}_bench"
    server = LiveServer(
        name=name, settings="benchmarks.settings", workers=2, log_path=ROOT / "var" / "bench-server.log"
    )
    results: dict = {"machine": machine(), "workers": 2, "duration_s": args.duration, "targets": []}
    results["load_average_before"] = os.getloadavg()
    print(f"machine: {results['machine']}; load average {results['load_average_before']}", flush=True)
    with server:
        user_id = server.seed_user(EMAIL, PASSWORD)
        token = server.authenticate(EMAIL, PASSWORD)
        floor_rps = floor_cpu = None
        for target in TARGETS:
            wanted = [name.strip().lower() for name in (args.only or "").split(",") if name.strip()]
            if wanted and target is not TARGETS[0] and not any(name in target.name.lower() for name in wanted):
                continue
            values = {"user": user_id}
            if target.seed:
                values.update(json.loads(server.manage_python(seed_code(target, user_id)).strip().splitlines()[-1]))
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
            script = warmup = lua_script(target, token if target.auth else None)
            walk = values.pop("walk", None)
            if walk:  # one object per request: `path` with {transfer} taking the next id of the thread's slice;
                # the warm-up walks its own first sixth of the ids, the measured run the rest
                template = target.path.format(**{**values, "transfer": "%s"})
                cut = len(walk) // 6
                warmup = script + walk_script(template, walk[:cut], args.threads)
                script += walk_script(template, walk[cut:], args.threads)
            run_wrk(wrk, server.url + path, warmup, threads=args.threads, connections=args.connections, duration=3)
            cpu_before = server_cpu(server)
            figures = run_wrk(
                wrk,
                server.url + path,
                script,
                threads=args.threads,
                connections=args.connections,
                duration=args.duration,
            )
            figures.update(cpu_per_request(cpu_before, server_cpu(server), figures["requests"]))
            figures["cpu_ms"] = figures["web_cpu_ms"] + figures["db_cpu_ms"]
            if floor_rps is None:
                floor_rps, floor_cpu = figures["rps"], figures["cpu_ms"]
            figures["ratio"] = figures["rps"] / floor_rps
            figures["cpu_ratio"] = floor_cpu / figures["cpu_ms"] if figures["cpu_ms"] else None
            figures["target_ratio"] = target.target_ratio
            results["targets"].append({"name": target.name, "path": target.path, **figures})
            verdict = ""
            if target.target_ratio is not None:
                verdict = "meets" if figures["ratio"] >= target.target_ratio else "MISSES"
                verdict = f"  {verdict} target {target.target_ratio:.2f}"
            print(
                f"{target.name:42} {figures['rps']:9.1f} req/s  p50 {figures['p50_ms']:7.2f} ms  "
                f"p99 {figures['p99_ms']:7.2f} ms  errors {figures['errors']}  ratio {figures['ratio']:.2f}{verdict}"
                f"  | server CPU/request {figures['cpu_ms']:.3f} ms (web {figures['web_cpu_ms']:.3f}, "
                f"db {figures['db_cpu_ms']:.3f}), CPU ratio {figures['cpu_ratio'] or 0:.2f}",
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
    results["load_average_after"] = os.getloadavg()
    print(f"load average after the run: {results['load_average_after']}", flush=True)
    out = ROOT / "benchmarks" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"figures written to {out.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
