"""Hand-written SQL for the few hot paths where building the query costs more than running it.

The ORM compiles every queryset on every call (a select_related lookup of a token with its user: about
0.4 ms of CPU, against 0.1 ms for the database to answer). The token lookup of every authenticated request
and the profile's statements use fixed statements instead (docs/performance.md). Column lists and value
conversions still come from the models' `_meta` and the backend, exactly as the ORM does it, so a new field
is picked up without touching the SQL and the same code runs on PostgreSQL and on the SQLite fallback.

On PostgreSQL these statements are also prepared (`prepared_cursor`): planning them cost PostgreSQL more
than running them (the profile's four-branch UNION ALL: 0.75 ms of PostgreSQL CPU unprepared, 0.06 ms
prepared). Only they are: the ORM keeps Django's client-side binding, which never prepares.
"""

from __future__ import annotations

import logging

from django.db import connections
from django.db.models import Model

log = logging.getLogger(__name__)


class ModelColumns:
    """The concrete columns of `model` under a table alias: a select list, and rows back into values/instances."""

    def __init__(self, model: type[Model], alias: str, fields: tuple[str, ...] | None = None):
        self.model = model
        self.alias = alias
        meta = model._meta
        self.fields = tuple(meta.get_field(name) for name in fields) if fields else tuple(meta.concrete_fields)
        self.attnames = tuple(field.attname for field in self.fields)
        self.complete = fields is None
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def select_list(self, connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(field.column)}" for field in self.fields)

    def table(self, connection) -> str:
        quote = connection.ops.quote_name
        return f"{quote(self.model._meta.db_table)} {quote(self.alias)}"

    def column(self, connection, name: str) -> str:
        quote = connection.ops.quote_name
        return f"{quote(self.alias)}.{quote(self.model._meta.get_field(name).column)}"

    def converters(self, connection) -> list:
        """Per column: the backend's and the field's from-database converters (what the ORM's compiler applies)."""
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for field in self.fields:
                expression = field.get_col(self.alias)
                chain = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                found.append((expression, chain))
            self._converters[connection.vendor] = found
        return found

    def values(self, connection, row) -> list:
        """The Python values of this model's columns in `row` (already sliced to them)."""
        values = list(row)
        for index, (expression, chain) in enumerate(self.converters(connection)):
            value = values[index]
            for converter in chain:
                value = converter(value, expression, connection)
            values[index] = value
        return values

    def instance(self, connection, row) -> Model:
        """A model instance as the ORM would load it (every concrete column; only for complete column lists)."""
        assert self.complete, "an instance needs every concrete column"
        return self.model.from_db(connection.alias, self.attnames, self.values(connection, row))


def prepared_cursor(connection):
    """A cursor of `connection` whose statements psycopg prepares on the server once they have run
    `prepare_threshold` times on the connection (settings: DATABASE_PREPARED_STATEMENTS), with server-side
    binding; Django's usual cursor when prepared statements are off (a transaction-pooling PgBouncer without
    prepared statement support, docs/deployment.md) or on another backend. Wrapped as Django wraps its own
    cursors, so query logging, execute_wrapper hooks (query budgets) and error translation are the same."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if getattr(connection.connection, "prepare_threshold", None) is None:
        return connection.cursor()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


class _StatementText:
    __slots__ = ("query",)

    def __init__(self, query: bytes):
        self.query = query


_PreparingCursor = None


# Parsed placeholders of the fixed statements, by statement text (bounded: they are a handful of fixed texts).
_parsed: dict = {}
_PARSED_MAX = 256


def _fixed_statement_query_class():
    """psycopg's server-side query conversion, with the parse of the placeholders kept per statement text; None
    (psycopg's own conversion is used) when psycopg's internals it relies on are not there.

    psycopg caches that parse only for statements of up to 50 parameters and 4 KB (a guard against the ORM's
    ever-different bulk INSERTs); a transfer confirmation's data-modifying CTE has ~80 parameters and was
    parsed again on every request (≈ 0.15 ms of CPU). The statements of this module are fixed texts, so their
    parse is kept here, as psycopg's own cache does (the same immutable tuple shared by every execution).

    `psycopg._queries.PostgresQuery` and `_query2pg_nocache` are private (pinned in requirements.txt): a psycopg
    without them, or whose parse no longer returns the same four values, falls back to psycopg's plain
    conversion (slower, never wrong); tests/transfers/test_fixed_statements.py compares the two in CI."""
    try:
        from psycopg._queries import PostgresQuery, _query2pg_nocache
    except (ImportError, AttributeError):
        log.warning("psycopg._queries internals not found: fixed statements use psycopg's own query conversion")
        return None

    class FixedStatementQuery(PostgresQuery):
        __slots__ = ()

        def convert(self, query, vars):
            if vars is None or not isinstance(query, (str, bytes)):
                return super().convert(query, vars)
            key = (query, self._tx.encoding)
            parsed = _parsed.get(key)
            if parsed is None:
                try:
                    parsed = _query2pg_nocache(self._ensure_bytes(query), self._tx.encoding)
                    query_bytes, want_formats, order, parts = parsed
                except (AttributeError, TypeError, ValueError):
                    log.warning("psycopg's query parse changed shape: fixed statements use psycopg's own")
                    return super().convert(query, vars)
                if len(_parsed) < _PARSED_MAX:
                    _parsed[key] = parsed
            self.query, self._want_formats, self._order, self._parts = parsed
            self.dump(vars)

    return FixedStatementQuery


def _preparing_cursor_class():
    global _PreparingCursor
    if _PreparingCursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            """Django's server-side binding cursor. psycopg leaves `_query` unset when it runs an already prepared
            statement, and Django's query log (`last_executed_query`, what CaptureQueriesContext and the query
            budgets read) takes the statement from there: it gets the statement's text (placeholders, no values)."""

            def execute(self, query, params=None, **kwargs):
                super().execute(query, params, **kwargs)
                if self._query is None:
                    self._query = _StatementText(query.encode() if isinstance(query, str) else bytes(query))
                return self

        query_cls = _fixed_statement_query_class()
        if query_cls is not None:
            PreparingCursor._query_cls = query_cls
        _PreparingCursor = PreparingCursor
    return _PreparingCursor


def fetch(using: str, sql: str, params) -> list[tuple]:
    with prepared_cursor(connections[using]) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_insert_sql: dict[tuple, str] = {}
_savers: dict[tuple, list] = {}


def _saver(field, connection):
    """`field.get_db_prep_save(value, connection)` as a function of (value, connection), cheaper where Django's
    conversion returns the value unchanged: a str into a CharField/TextField, a bool into a BooleanField, an
    int into an integer field, a UUID into a UUIDField (native on the backend), a finite Decimal into a
    DecimalField and an aware datetime into a DateTimeField (their backend adaptation still applied), a foreign
    key through its target's. Only for fields whose classes use Django's own conversions; any other value or
    field takes the full path."""
    from datetime import datetime
    from decimal import Decimal
    from uuid import UUID

    from django.db.models import fields as f
    from django.db.models.fields.related import ForeignKey

    def full(value, connection):
        return field.get_db_prep_save(value, connection=connection)

    cls = type(field)
    if isinstance(field, ForeignKey):
        if cls.get_db_prep_save is not ForeignKey.get_db_prep_save:
            return full
        target = _saver(field.target_field, connection)
        # None and "" take the full path (which maps them to NULL); anything else goes to the target's conversion.
        return lambda value, connection: (
            full(value, connection) if value is None or value == "" else target(value, connection)
        )
    standard = cls.get_db_prep_save is f.Field.get_db_prep_save
    plain = standard and cls.get_db_prep_value is f.Field.get_db_prep_value
    if plain and isinstance(field, (f.CharField, f.TextField, f.BooleanField)):
        base = (
            f.BooleanField
            if isinstance(field, f.BooleanField)
            else f.TextField
            if isinstance(field, f.TextField)
            else f.CharField
        )
        exact = bool if base is f.BooleanField else str
        if cls.get_prep_value is base.get_prep_value and cls.to_python is base.to_python:
            return lambda value, connection: value if type(value) is exact else full(value, connection)
    if standard and isinstance(field, f.IntegerField) and cls.get_prep_value is f.IntegerField.get_prep_value:
        if isinstance(field, f.AutoFieldMixin) and cls.get_db_prep_value is f.AutoFieldMixin.get_db_prep_value:
            return lambda value, connection: (
                connection.ops.validate_autopk_value(value) if type(value) is int else full(value, connection)
            )
        if cls.get_db_prep_value is f.IntegerField.get_db_prep_value:
            internal_type = field.get_internal_type()
            return lambda value, connection: (
                connection.ops.adapt_integerfield_value(value, internal_type)
                if type(value) is int
                else full(value, connection)
            )
    if (
        standard
        and isinstance(field, f.UUIDField)
        and cls.get_db_prep_value is f.UUIDField.get_db_prep_value
        and connection.features.has_native_uuid_field
    ):
        return lambda value, connection: value if type(value) is UUID else full(value, connection)
    if (
        standard
        and isinstance(field, f.DecimalField)
        and cls.get_db_prep_value is f.DecimalField.get_db_prep_value
        and cls.get_prep_value is f.DecimalField.get_prep_value
        and cls.to_python is f.DecimalField.to_python
    ):
        digits, places = field.max_digits, field.decimal_places
        return lambda value, connection: (
            connection.ops.adapt_decimalfield_value(value, digits, places)
            if type(value) is Decimal and value.is_finite()
            else full(value, connection)
        )
    if (
        standard
        and isinstance(field, f.DateTimeField)
        and cls.get_db_prep_value is f.DateTimeField.get_db_prep_value
        and cls.get_prep_value is f.DateTimeField.get_prep_value
        and cls.to_python is f.DateTimeField.to_python
    ):
        return lambda value, connection: (
            connection.ops.adapt_datetimefield_value(value)
            if type(value) is datetime and value.utcoffset() is not None
            else full(value, connection)
        )
    return full


def _insert_savers(model, connection) -> list:
    """Per inserted column of `model`: its attname, whether its field has a pre_save of its own, its saver."""
    key = (model, connection.vendor)
    found = _savers.get(key)
    if found is None:
        from django.db.models import Field

        meta = model._meta
        found = [
            (field, field.attname, type(field).pre_save is not Field.pre_save, _saver(field, connection))
            for field in meta.concrete_fields
            if field is not meta.auto_field
        ]
        _savers[key] = found
    return found


def insert_statement(objs: list[Model], *, connection, returning: bool = False) -> tuple[str, list]:
    """The fixed `INSERT … VALUES` of unsaved instances of one model, and its parameters (see insert_instances).

    A NULL is written into the statement rather than passed: an order has a dozen empty columns, and psycopg
    caches the parsing of a statement only up to 50 parameters (MAX_CACHED_STATEMENT_PARAMS). The statement is
    cached per pattern of NULLs, which is fixed for a given call site. The values go through the fields' own
    conversions (`get_db_prep_save`), skipped where they would return the value unchanged (`_saver`)."""
    model = type(objs[0])
    meta = model._meta
    savers = _insert_savers(model, connection)
    fields = [saver[0] for saver in savers]
    returning = returning and meta.auto_field is not None
    values = [
        save(field.pre_save(obj, True) if own_pre_save else getattr(obj, attname), connection)
        for obj in objs
        for field, attname, own_pre_save, save in savers
    ]
    nulls = tuple(value is None for value in values)
    key = (model, connection.vendor, len(objs), returning, nulls)
    sql = _insert_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        width = len(fields)
        rows = (
            "(" + ", ".join("NULL" if null else "%s" for null in nulls[start : start + width]) + ")"
            for start in range(0, len(nulls), width)
        )
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"  # noqa: S608
            f" VALUES {', '.join(rows)}"
        )
        if returning:
            sql += f" RETURNING {quote(meta.auto_field.column)}"
        _insert_sql[key] = sql
    return sql, [value for value in values if value is not None]


def inserted(objs: list[Model], *, using: str = "default", ids: list | None = None) -> None:
    """Mark instances as saved (after insert_statement's statement ran), with their new auto-increment ids."""
    meta = type(objs[0])._meta
    for index, obj in enumerate(objs):
        if ids is not None:
            setattr(obj, meta.auto_field.attname, ids[index])
        obj._state.adding = False
        obj._state.db = using


def insert_instances(objs: list[Model], *, using: str = "default", returning: bool = False) -> None:
    """INSERT unsaved instances of one model in one fixed statement: `bulk_create` without its per-call query
    compilation and (on PostgreSQL) its UNNEST arrays, which cost more CPU than the database spends on two rows.

    Every concrete column but an auto-increment primary key is written, each value through the field's own
    `pre_save` and `get_db_prep_save` (as the ORM does); with `returning`, the new auto-increment ids are set
    on the instances (PostgreSQL and SQLite ≥ 3.35 return them in VALUES order, as bulk_create relies on)."""
    if not objs:
        return
    connection = connections[using]
    returning = returning and type(objs[0])._meta.auto_field is not None
    sql, params = insert_statement(objs, connection=connection, returning=returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()] if returning else None
    inserted(objs, using=using, ids=ids)


_together_sql: dict[tuple, str] = {}


def execute_together(statements: list[tuple[str, list]], *, using: str = "default") -> list[tuple]:
    """Run independent writes as one round trip where the database allows it; returns the last one's rows.

    On PostgreSQL the statements become one data-modifying CTE (`WITH s0 AS (INSERT …), s1 AS (…) <last>`):
    one parse, one plan, one round trip instead of one each. They all see the same snapshot and none sees the
    others' rows, so they must not depend on each other except through foreign keys (Django's are DEFERRABLE
    INITIALLY DEFERRED, checked at commit). Works with client- and server-side parameter binding alike. Other
    databases (the SQLite fallback) run them one after the other."""
    connection = connections[using]
    with prepared_cursor(connection) as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
        key = tuple(sql for sql, _ in statements)
        sql = _together_sql.get(key)
        if sql is None:
            *first, last = key
            parts = ", ".join(f"s{index} AS ({part})" for index, part in enumerate(first))
            sql = f"WITH {parts} {last}" if first else last
            _together_sql[key] = sql
        cursor.execute(sql, [value for _, params in statements for value in params])
        return cursor.fetchall() if cursor.description else []


def fetch_one(using: str, sql: str, params) -> tuple | None:
    with prepared_cursor(connections[using]) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
