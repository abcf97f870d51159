from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router
from django.db.models import Sum
from tqdm import tqdm

from trading.ledger_models import LedgerAccount, LedgerEntry

BATCH = 2000


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
            # SQLite (the embedded demo database) sums decimals as binary floats (1e-18 residues): sum in Python.
            per_asset, per_transaction = defaultdict(Decimal), defaultdict(Decimal)
            for transaction_id, symbol, amount in LedgerEntry.objects.values_list(
                "transaction_id", "asset__symbol", "amount"
            ).iterator():
                per_asset[symbol] += amount
                per_transaction[transaction_id, symbol] += amount
            problems += [f"asset {symbol} sums to {total}, not 0" for symbol, total in per_asset.items() if total]
            problems += [
                f"transaction {transaction_id} {symbol} sums to {total}"
                for (transaction_id, symbol), total in per_transaction.items()
                if total
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
                    sums = defaultdict(Decimal)
                    for account_id, amount in LedgerEntry.objects.filter(account_id__in=ids).values_list(
                        "account_id", "amount"
                    ):
                        sums[account_id] += amount
                for row in batch:
                    entries_sum = sums.get(row["pk"]) or 0
                    if row["balance"] != entries_sum:
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
