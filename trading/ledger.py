"""Posting to the ledger. The only code that writes ledger rows or balances; every money-moving service calls it
inside its own transaction, so the movement commits or rolls back with the state change that causes it."""

import zlib
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ccpro import errors
from ccpro.db import ModelColumns, prepared_cursor

from .ledger_models import REVENUE_SHARDS, LedgerAccount, LedgerEntry, LedgerTransaction
from .models import Asset

Kind = LedgerAccount.Kind


class InsufficientFunds(errors.ActionForbidden):
    default_message = "Insufficient funds."


class LedgerUnbalanced(Exception):
    """A programming error: a movement that does not balance never reaches the database."""


def customer_account(*, user, asset: Asset, kind: str = Kind.AVAILABLE) -> LedgerAccount:
    if kind not in LedgerAccount.CUSTOMER_KINDS:
        raise ValueError(f"{kind} is not a customer account kind")
    account, _ = LedgerAccount.objects.get_or_create(user=user, asset=asset, kind=kind)
    account.asset = asset  # ledger_post reads the asset's decimals: spare it a query per leg
    return account


def system_account(*, asset: Asset, kind: str, shard: int = 0) -> LedgerAccount:
    if kind in LedgerAccount.CUSTOMER_KINDS:
        raise ValueError(f"{kind} is a customer account kind")
    account, _ = LedgerAccount.objects.get_or_create(user=None, asset=asset, kind=kind, shard=shard)
    account.asset = asset
    return account


def revenue_account(*, asset: Asset, spread_key: str) -> LedgerAccount:
    """One of the asset's revenue shards, chosen by a stable hash so concurrent postings rarely share a row."""
    return system_account(asset=asset, kind=Kind.REVENUE, shard=revenue_shard(spread_key))


def _validate_legs(legs) -> dict[int, Decimal]:
    per_asset: dict[int, Decimal] = defaultdict(Decimal)
    per_account: dict[int, Decimal] = defaultdict(Decimal)
    for account, amount in legs:
        if not isinstance(amount, Decimal):
            raise TypeError(f"ledger amounts must be Decimal, got {type(amount).__name__}")
        if amount.is_zero():
            continue
        decimals = account.asset.decimals
        if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
            raise LedgerUnbalanced(f"{amount} has more than {decimals} decimals for {account.asset.symbol}")
        per_asset[account.asset_id] += amount
        per_account[account.pk] += amount
    if any(total != 0 for total in per_asset.values()):
        raise LedgerUnbalanced("ledger transaction does not sum to zero per asset")
    return {pk: delta for pk, delta in per_account.items() if delta != 0}


_ACCOUNT_COLUMNS = ModelColumns(LedgerAccount, "a")


def _wanted(wanted) -> list[tuple]:
    return [(user_id, kind, shard if user_id is None else 0) for user_id, kind, shard in wanted]


def accounts_statement(*, asset: Asset, wanted, connection) -> tuple[str, list]:
    """The SELECT of accounts_for, for a caller that runs it with other statements (ccpro.db.execute_together);
    its rows go to `accounts_from`."""
    user_field = LedgerAccount._meta.get_field("user")
    clauses, params = [], [asset.pk]
    for user_id, kind, shard in _wanted(wanted):
        if user_id is None:
            clauses.append("(a.user_id IS NULL AND a.kind = %s AND a.shard = %s)")
            params += [kind, shard]
        else:
            clauses.append("(a.user_id = %s AND a.kind = %s)")
            params += [user_field.get_db_prep_value(user_id, connection), kind]
    columns = _ACCOUNT_COLUMNS
    sql = (
        f"SELECT {columns.select_list(connection)} FROM {columns.table(connection)}"  # noqa: S608
        f" WHERE a.asset_id = %s AND ({' OR '.join(clauses)})"
    )
    return sql, params


def accounts_from(*, asset: Asset, wanted, rows, connection) -> list[LedgerAccount]:
    """The accounts `wanted` in that order from the rows of accounts_statement; a missing one is created as
    customer_account/system_account would. Balances read here are not trusted: ledger_post locks and reads
    them again."""
    accounts = [_ACCOUNT_COLUMNS.instance(connection, row) for row in rows]
    found_rows = {(a.user_id, a.kind, a.shard if a.user_id is None else 0): a for a in accounts}
    found = []
    for user_id, kind, shard in _wanted(wanted):
        account = found_rows.get((user_id, kind, shard))
        if account is None:
            if (kind in LedgerAccount.CUSTOMER_KINDS) != (user_id is not None):
                raise ValueError(f"{kind} does not go with user {user_id}")
            account, _ = LedgerAccount.objects.get_or_create(user_id=user_id, asset=asset, kind=kind, shard=shard)
        account.asset = asset
        found.append(account)
    return found


def accounts_for(*, asset: Asset, wanted) -> list[LedgerAccount]:
    """The accounts `wanted` [(user_id, kind, shard)] of one asset (user_id None: a system account), in that
    order, found in one fixed statement; a missing one is created as customer_account/system_account would.
    For a posting's legs without a get_or_create per leg."""
    connection = transaction.get_connection()
    sql, params = accounts_statement(asset=asset, wanted=wanted, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return accounts_from(asset=asset, wanted=wanted, rows=rows, connection=connection)


def revenue_shard(spread_key: str) -> int:
    return zlib.crc32(spread_key.encode()) % REVENUE_SHARDS


# The posting's statements, written once: building them with the ORM on every call cost more CPU than the
# database spends running them (docs/performance.md, "Session 2 — transfers"). Portable SQL (PostgreSQL and the
# SQLite fallback); values go through the fields' own conversions.
_ACCOUNT = LedgerAccount._meta.db_table
_TRANSACTION = LedgerTransaction._meta.db_table
_ENTRY = LedgerEntry._meta.db_table
_AMOUNT_FIELD = LedgerEntry._meta.get_field("amount")
_CREATED_FIELD = LedgerTransaction._meta.get_field("created_at")
_BALANCE_FIELD = LedgerAccount._meta.get_field("balance")


def _lock_sql(connection, count: int) -> str:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    marks = ", ".join(["%s"] * count)
    return f"SELECT id, kind, balance FROM {_ACCOUNT} WHERE id IN ({marks}) ORDER BY id{lock}"  # noqa: S608


_posting_sql: dict[int, str] = {}


def _posting_sql_postgresql(connection, count: int) -> str:
    """ledger_post's three writes as one statement for `count` accounts (PostgreSQL). The entries' values carry
    explicit casts: under server-side binding a VALUES list in a SELECT would otherwise type them as text."""
    sql = _posting_sql.get(count)
    if sql is None:
        account_type = LedgerEntry._meta.get_field("account").cast_db_type(connection)
        asset_type = LedgerEntry._meta.get_field("asset").cast_db_type(connection)
        amount_type = _AMOUNT_FIELD.cast_db_type(connection)
        created_type = LedgerEntry._meta.get_field("created_at").cast_db_type(connection)
        values = ", ".join([f"(%s::{account_type}, %s::{asset_type}, %s::{amount_type})"] * count)
        cases = " ".join([f"WHEN %s THEN %s::{amount_type}"] * count)
        marks = ", ".join(["%s"] * count)
        sql = (
            f"WITH posted AS (INSERT INTO {_TRANSACTION} (idempotency_key, kind, reference, memo, created_at)"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),"
            f" entries AS (INSERT INTO {_ENTRY} (transaction_id, account_id, asset_id, amount, created_at)"
            f" SELECT posted.id, leg.account_id, leg.asset_id, leg.amount, %s::{created_type}"
            f" FROM posted CROSS JOIN (VALUES {values}) AS leg (account_id, asset_id, amount)),"
            f" balances AS (UPDATE {_ACCOUNT} SET balance = balance + CASE id {cases} END"
            f" WHERE id IN ({marks}) AND EXISTS (SELECT 1 FROM posted))"
            " SELECT id FROM posted"
        )
        _posting_sql[count] = sql
    return sql


def ledger_post(*, idempotency_key: str, kind: str, legs, reference: str = "", memo: str = "") -> LedgerTransaction:
    """Write one balanced movement: `legs` is a list of (LedgerAccount, signed Decimal amount).

    Posting an existing idempotency key again returns the transaction already written and changes nothing.
    Accounts are locked in primary-key order (no deadlocks between postings touching the same accounts);
    a customer account that would go negative raises InsufficientFunds before anything is written (and the
    database refuses it anyway).

    Four statements whatever the number of legs: lock the accounts, insert the transaction (ON CONFLICT DO
    NOTHING on its idempotency key: a concurrent twin waits for the first and then finds its row), insert the
    entries, update the balances. No savepoint: a refusal is raised after the block, which wrote nothing."""
    deltas = _validate_legs(legs)
    assets = {account.pk: account.asset_id for account, _ in legs}
    order = sorted(deltas)
    connection = transaction.get_connection()
    now = timezone.now()
    refused = False
    with transaction.atomic(savepoint=False), prepared_cursor(connection) as cursor:
        if order:
            cursor.execute(_lock_sql(connection, len(order)), order)
            for pk, account_kind, balance in cursor.fetchall():
                balance = _BALANCE_FIELD.to_python(balance)
                if account_kind in LedgerAccount.CUSTOMER_KINDS and balance + deltas[pk] < 0:
                    refused = True
        if refused:
            existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        elif order and connection.vendor == "postgresql":
            # The transaction, its entries and the balances in one data-modifying CTE: the entries and the
            # UPDATE read the transaction's id from its INSERT, so an existing key (ON CONFLICT: nothing
            # returned) writes no entry and moves no balance, exactly as the three statements below.
            amounts = {pk: _AMOUNT_FIELD.get_db_prep_save(deltas[pk], connection) for pk in order}
            created = _CREATED_FIELD.get_db_prep_save(now, connection)
            cursor.execute(
                _posting_sql_postgresql(connection, len(order)),
                [
                    idempotency_key,
                    kind,
                    reference,
                    memo,
                    created,
                    created,
                    *(value for pk in order for value in (pk, assets[pk], amounts[pk])),
                    *(value for pk in order for value in (pk, amounts[pk])),
                    *order,
                ],
            )
            row = cursor.fetchone()
            if row is None:  # posted before (or concurrently, committed while we waited): nothing more to do
                return LedgerTransaction.objects.get(idempotency_key=idempotency_key)
            posted = LedgerTransaction(
                id=row[0], idempotency_key=idempotency_key, kind=kind, reference=reference, memo=memo, created_at=now
            )
        else:
            created = _CREATED_FIELD.get_db_prep_save(now, connection)
            cursor.execute(
                f"INSERT INTO {_TRANSACTION} (idempotency_key, kind, reference, memo, created_at)"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                [idempotency_key, kind, reference, memo, created],
            )
            row = cursor.fetchone()
            if row is None:  # posted before (or concurrently, committed while we waited): nothing more to do
                return LedgerTransaction.objects.get(idempotency_key=idempotency_key)
            posted = LedgerTransaction(
                id=row[0], idempotency_key=idempotency_key, kind=kind, reference=reference, memo=memo, created_at=now
            )
            if order:
                amounts = {pk: _AMOUNT_FIELD.get_db_prep_save(deltas[pk], connection) for pk in order}
                cursor.execute(
                    f"INSERT INTO {_ENTRY} (transaction_id, account_id, asset_id, amount, created_at) VALUES "  # noqa: S608
                    + ", ".join(["(%s, %s, %s, %s, %s)"] * len(order)),
                    [value for pk in order for value in (posted.pk, pk, assets[pk], amounts[pk], created)],
                )
                cases = " ".join(["WHEN %s THEN %s"] * len(order))
                marks = ", ".join(["%s"] * len(order))
                cursor.execute(
                    f"UPDATE {_ACCOUNT} SET balance = balance + CASE id {cases} END WHERE id IN ({marks})",  # noqa: S608
                    [*(value for pk in order for value in (pk, amounts[pk])), *order],
                )
    if refused:
        raise InsufficientFunds()
    return posted
