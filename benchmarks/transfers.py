"""Transfer concurrency benchmark: N transfers among A accounts from W concurrent worker processes, on a fresh
PostgreSQL database, checked afterwards; then the same row updates as raw SQL, for the floor.

    .venv/bin/python benchmarks/transfers.py [--transfers 10000] [--accounts 20] [--workers 32]

Each transfer is the service path the API runs: `transfer_create` (payer available → pending, a transfer row,
notifications) then `transfer_confirm` by the payer (pending → payee + revenue shard, orders named, two
notifications with their deliveries written as outbox rows). Afterwards: every asset's total unchanged
(customers + revenue = what was deposited), no customer balance negative, nothing left pending, `ledger_check`
clean, and 0 errors (an exception other than a refusal for insufficient funds counts as an error). Then the
pending-deliveries sweep (`deliveries_queue_pending`, what beat runs every couple of seconds) from W processes at
once, in small batches, over every delivery the run wrote: each must be handed out exactly once.

The raw figure: the same workers run, per transfer, the two transactions' balance UPDATEs (payer available and
pending; payer pending, payee available, revenue shard) on a plain table with psycopg, no ORM, no ledger rows.

Uses `<DATABASE_URL's name>_transfers_bench` (dropped and re-created) and the Redis broker of CELERY_BROKER_URL
(the queued deliveries are purged at the end). Figures go to stdout.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.liveserver import _admin_conninfo, database_name, database_url_named  # noqa: E402

FUNDING = Decimal(1000)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccpro.settings.base")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()


def create_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ccpro.settings.base"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def kyc_top_level(user) -> None:
    """Every KYC item accepted (level 5): transfers check both parties' KYC limits, and level 0 may move nothing."""
    from django.utils import timezone

    from kyc.models import ItemKind, KycItem
    from kyc.services import _transition, kyc_state_recompute

    user.email_verified_at = user.email_verified_at or timezone.now()  # every level requires the e-mail
    user.save(update_fields=["email_verified_at"])
    for kind in (
        ItemKind.PHONE,
        ItemKind.PERSONAL,
        ItemKind.ADDRESS,
        ItemKind.PASSPORT,
        ItemKind.UTILITY_BILL,
        ItemKind.SELFIE_WITH_ID,
        ItemKind.VIDEO,
        ItemKind.EDD,
        ItemKind.EXTENDED_PROOF_OF_FUNDS,
    ):
        item, _ = KycItem.objects.get_or_create(user=user, kind=kind)
        item.user = user
        _transition(item, "PENDING", actor=user, action="submitted")
        _transition(item, "ACCEPTED", actor=None, action="accepted (benchmark)")
    kyc_state_recompute(user=user)


def seed(accounts: int) -> list[str]:
    from accounts.models import User
    from trading.ledger import customer_account, ledger_post, system_account
    from trading.ledger_models import LedgerAccount
    from trading.models import Asset

    eth = Asset.objects.get(symbol="ETH")
    ids = []
    for n in range(accounts):
        user = User.objects.create_user(email=f"bench{n}@ccpro.test", password=None, is_active=True)
        ledger_post(
            idempotency_key=f"bench-fund:{n}",
            kind="deposit",
            legs=[
                (system_account(asset=eth, kind=LedgerAccount.Kind.OMNIBUS), -FUNDING),
                (customer_account(user=user, asset=eth), FUNDING),
                # pending exists up front, as after a first transfer
            ],
        )
        customer_account(user=user, asset=eth, kind=LedgerAccount.Kind.PENDING)
        kyc_top_level(user)
        ids.append(str(user.pk))
    return ids


def app_worker(args) -> dict:
    index, count, user_ids, database_url, start_at = args
    setup_django(database_url)
    from django.db import connection

    from accounts.models import User
    from trading.ledger import InsufficientFunds
    from trading.transfers import transfer_confirm, transfer_create

    users = list(User.objects.filter(pk__in=user_ids))
    rng = random.Random(index)
    outcomes = {"completed": 0, "insufficient": 0, "error": 0}
    errors: list[str] = []
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.time()
    for _ in range(count):
        payer, payee = rng.sample(users, 2)
        amount = Decimal(rng.randint(1, 5000)) / 1000
        try:
            transfer = transfer_create(
                user=payer, action="send", amount=amount, asset_type="coin", symbol="ETH", counterparty=payee.email
            )
            transfer_confirm(user=payer, transfer_id=transfer.pk)
            outcomes["completed"] += 1
        except InsufficientFunds:
            outcomes["insufficient"] += 1
        except Exception as exc:  # noqa: BLE001 - counted and shown
            outcomes["error"] += 1
            errors.append(f"{type(exc).__name__}: {exc}")
    finished = time.time()
    connection.close()
    return {"outcomes": outcomes, "errors": errors[:5], "started": started, "finished": finished}


def sweep_worker(args) -> dict:
    """The pending-deliveries sweep, with the task publish replaced by a list of what it would have published."""
    index, database_url, start_at, batch = args
    setup_django(database_url)
    from django.db import connection

    from notifications import services
    from notifications.tasks import delivery_send_task

    published: list[int] = []
    delivery_send_task.delay = lambda **kwargs: published.append(kwargs["delivery_id"])
    while time.time() < start_at:
        time.sleep(0.001)
    rounds = 0
    while services.deliveries_queue_pending(batch=batch):
        rounds += 1
    connection.close()
    return {"published": published, "rounds": rounds}


def raw_worker(args) -> dict:
    index, count, accounts, dsn, start_at = args
    import psycopg

    rng = random.Random(index)
    with psycopg.connect(dsn, autocommit=False) as conn:
        while time.time() < start_at:
            time.sleep(0.001)
        started = time.time()
        for _ in range(count):
            payer, payee = rng.sample(range(accounts), 2)
            amount = Decimal(rng.randint(1, 5000)) / 1000
            commission = amount / 100
            shard = rng.randrange(16)
            # 1: reserve (payer available and pending, ordered).
            for row_id, delta in sorted([(payer * 2, -amount), (payer * 2 + 1, amount)]):
                conn.execute("UPDATE bench_balance SET balance = balance + %s WHERE id = %s", (delta, row_id))
            conn.commit()
            # 2: complete (payer pending, payee available, a revenue shard, ordered).
            rows = [(payer * 2 + 1, -amount), (payee * 2, amount - commission), (1000 + shard, commission)]
            for row_id, delta in sorted(rows):
                conn.execute("UPDATE bench_balance SET balance = balance + %s WHERE id = %s", (delta, row_id))
            conn.commit()
        finished = time.time()
    return {"started": started, "finished": finished}


def run_pool(worker, jobs, workers: int):
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        return pool.map(worker, jobs)


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--keep-database", action="store_true")
    options = parser.parse_args()

    url = database_url_named(f"{database_name()}_transfers_bench")
    print(f"database {database_name(url)}: creating and migrating", flush=True)
    create_database(url)
    setup_django(url)
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from trading.ledger_models import LedgerAccount, LedgerEntry
    from trading.models import Asset
    from trading.transfer_models import Transfer

    user_ids = seed(options.accounts)
    eth = Asset.objects.get(symbol="ETH")
    before = FUNDING * options.accounts
    connection.close()

    counts = split(options.transfers, options.workers)
    start_at = time.time() + 8  # every process imported Django and connected before the start
    print(
        f"{options.transfers} transfers among {options.accounts} accounts from {options.workers} processes", flush=True
    )
    wall = time.perf_counter()
    results = run_pool(
        app_worker, [(i, counts[i], user_ids, url, start_at) for i in range(options.workers)], options.workers
    )
    wall = time.perf_counter() - wall
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    outcomes = {key: sum(r["outcomes"][key] for r in results) for key in ("completed", "insufficient", "error")}
    errors = [e for r in results for e in r["errors"]]

    customers = LedgerAccount.objects.filter(asset=eth, kind__in=LedgerAccount.CUSTOMER_KINDS)
    customer_total = customers.aggregate(total=Sum("balance"))["total"]
    revenue_total = LedgerAccount.objects.filter(asset=eth, kind="revenue").aggregate(total=Sum("balance"))["total"]
    negative = LedgerAccount.objects.filter(kind__in=LedgerAccount.CUSTOMER_KINDS, balance__lt=0).count()
    pending_left = customers.filter(kind="pending", balance__gt=0).count()
    check = StringIO()
    try:
        call_command("ledger_check", "--no-progress", stdout=check, stderr=check)
        ledger_ok = True
    except Exception:  # noqa: BLE001 - reported
        ledger_ok = False
    attempted = sum(outcomes.values())
    rate = outcomes["completed"] / elapsed
    print(
        f"app: {attempted} attempted, {outcomes['completed']} completed, {outcomes['insufficient']} refused "
        f"(insufficient funds), {outcomes['error']} errors in {elapsed:.1f} s (wall {wall:.1f} s with start-up): "
        f"{rate:.0f} transfers/s ({2 * rate:.0f} money-moving requests/s)"
    )
    print(
        f"books: customers {customer_total} + revenue {revenue_total} = {customer_total + revenue_total} "
        f"(deposited {before}); negative balances {negative}; pending left {pending_left}; "
        f"transfers {Transfer.objects.count()}; entries {LedgerEntry.objects.count()}; "
        f"ledger_check {'OK' if ledger_ok else 'FAILED: ' + check.getvalue()[-500:]}"
    )
    for error in errors[:5]:
        print("  error:", error)

    # Every delivery the run wrote handed out exactly once by concurrent sweeps (FOR UPDATE SKIP LOCKED + stamp).
    from notifications.models import Delivery

    unsent = set(Delivery.objects.filter(queued_at__isnull=True).values_list("pk", flat=True))
    connection.close()
    sweeps = min(options.workers, 8)
    swept = run_pool(sweep_worker, [(i, url, time.time() + 6, 50) for i in range(sweeps)], sweeps)
    published = [pk for r in swept for pk in r["published"]]
    sweep_ok = len(published) == len(set(published)) and set(published) == unsent and len(unsent) > 0
    print(
        f"deliveries: {len(unsent)} written without a task message; {sweeps} concurrent sweeps (batches of 50) "
        f"handed out {len(published)} ({len(set(published))} distinct) in {sum(r['rounds'] for r in swept)} "
        f"sweep runs; left {Delivery.objects.filter(queued_at__isnull=True).count()}: "
        f"{'each exactly once' if sweep_ok else 'FAILED'}"
    )

    # Raw PostgreSQL floor: the same balance row updates, psycopg only.
    dsn = url.replace("postgres://", "postgresql://", 1)
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_balance")
        conn.execute("CREATE TABLE bench_balance (id int PRIMARY KEY, balance numeric(38, 18) NOT NULL)")
        rows = [(i, FUNDING * 100 if i % 2 == 0 else 0) for i in range(options.accounts * 2)]
        rows += [(1000 + s, 0) for s in range(16)]
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_balance VALUES (%s, %s)", rows)
    start_at = time.time() + 3
    raw = run_pool(
        raw_worker,
        [(i, counts[i], options.accounts, dsn, start_at) for i in range(options.workers)],
        options.workers,
    )
    raw_elapsed = max(r["finished"] for r in raw) - min(r["started"] for r in raw)
    raw_rate = options.transfers / raw_elapsed
    print(
        f"raw PostgreSQL (same balance UPDATEs, 2 transactions per transfer): {options.transfers} in "
        f"{raw_elapsed:.1f} s: {raw_rate:.0f} transfers/s; app/raw = {rate / raw_rate:.2f}"
    )

    try:
        import redis
        from django.conf import settings

        if settings.CELERY_BROKER_URL.startswith("redis://"):
            redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")
    except Exception as exc:  # noqa: BLE001 - cleanup only
        print("could not purge the broker queue:", exc)
    connection.close()
    if not options.keep_database:
        drop_database(url)
    ok = (
        sweep_ok
        and outcomes["error"] == 0
        and ledger_ok
        and negative == 0
        and pending_left == 0
        and customer_total + revenue_total == before
    )
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
