from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router
from django.db.models import Sum
from tqdm import tqdm

from trading.ledger_models import LedgerAccount, LedgerEntry

BATCH = 2000
# SQLite (the embedded demo database only; production runs PostgreSQL) keeps a NUMERIC value as a binary float
# with 15 significant digits, so an 18-decimal amount comes back rounded: there a sum counts as zero, and a balance
# as equal to its entries, within this fraction of the largest amount involved.
SQLITE_RELATIVE_PRECISION = Decimal("1e-14")


def _sqlite_zero(total: Decimal, scale: Decimal) -> bool:
    return abs(total) <= scale * SQLITE_RELATIVE_PRECISION


class Command(BaseCommand):
    help = (
        "Prove the ledger's invariants: every transaction and every asset sums to zero, every cached balance "
        "equals the sum of its entries, no customer balance is negative. Exits non-zero on any violation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, no_progress=False, **options):
        problems: list[str] = []

        exact_sums = connections[router.db_for_read(LedgerEntry)].vendor == "postgresql"
        if exact_sums:
            for row in LedgerEntry.objects.values("asset__symbol").annotate(total=Sum("amount")).exclude(total=0):
                problems.append(f"asset {row['asset__symbol']} sums to {row['total']}, not 0")
            unbalanced = (
                LedgerEntry.objects.values("transaction_id", "asset__symbol")
                .annotate(total=Sum("amount"))
                .exclude(total=0)
            )
            for row in unbalanced[:100]:
                problems.append(f"transaction {row['transaction_id']} {row['asset__symbol']} sums to {row['total']}")
        else:
            # SQLite sums decimals as binary floats: add them up in Python, within SQLite's precision.
            per_asset, per_transaction = defaultdict(Decimal), defaultdict(Decimal)
            asset_scale, transaction_scale = defaultdict(Decimal), defaultdict(Decimal)
            for transaction_id, symbol, amount in LedgerEntry.objects.values_list(
                "transaction_id", "asset__symbol", "amount"
            ).iterator():
                per_asset[symbol] += amount
                per_transaction[transaction_id, symbol] += amount
                asset_scale[symbol] = max(asset_scale[symbol], abs(amount))
                transaction_scale[transaction_id, symbol] = max(transaction_scale[transaction_id, symbol], abs(amount))
            problems += [
                f"asset {symbol} sums to {total}, not 0"
                for symbol, total in per_asset.items()
                if not _sqlite_zero(total, asset_scale[symbol])
            ]
            problems += [
                f"transaction {transaction_id} {symbol} sums to {total}"
                for (transaction_id, symbol), total in per_transaction.items()
                if not _sqlite_zero(total, transaction_scale[transaction_id, symbol])
            ][:100]

        negative = LedgerAccount.objects.filter(kind__in=LedgerAccount.CUSTOMER_KINDS, balance__lt=0)
        for account in negative[:100]:
            problems.append(f"account {account.pk} ({account}) is negative: {account.balance}")

        total = LedgerAccount.objects.count()
        last_pk = 0
        with tqdm(total=total, unit="account", disable=no_progress or total == 0, file=self.stderr) as progress:
            while True:
                batch = list(
                    LedgerAccount.objects.filter(pk__gt=last_pk).order_by("pk").values("pk", "balance")[:BATCH]
                )
                if not batch:
                    break
                last_pk = batch[-1]["pk"]
                ids = [row["pk"] for row in batch]
                if exact_sums:
                    sums = dict(
                        LedgerEntry.objects.filter(account_id__in=ids)
                        .values("account_id")
                        .annotate(total=Sum("amount"))
                        .values_list("account_id", "total")
                    )
                else:
                    sums, scales = defaultdict(Decimal), defaultdict(Decimal)
                    for account_id, amount in LedgerEntry.objects.filter(account_id__in=ids).values_list(
                        "account_id", "amount"
                    ):
                        sums[account_id] += amount
                        scales[account_id] = max(scales[account_id], abs(amount))
                for row in batch:
                    entries_sum = sums.get(row["pk"]) or 0
                    if exact_sums:
                        differs = row["balance"] != entries_sum
                    else:
                        scale = max(scales[row["pk"]], abs(row["balance"]))
                        differs = not _sqlite_zero(row["balance"] - entries_sum, scale)
                    if differs:
                        problems.append(
                            f"account {row['pk']} caches {row['balance']} but its entries sum to {entries_sum}"
                        )
                progress.update(len(batch))

        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"ledger_check: {len(problems)} problem(s)")
        entries = LedgerEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"ledger_check: OK ({total} accounts, {entries} entries)"))
