"""ccpro.db's fixed INSERTs bind exactly what the fields' own conversions (`get_db_prep_save`) give, also where
they skip a conversion that would return the value unchanged."""

import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.functional import lazy

from ccpro.db import insert_statement
from notifications.models import Delivery, Notification
from trading.order_models import Order, OrderStatusChange
from trading.transfer_models import Transfer, TransferStatusChange

from .conftest import fund
from .test_transfer_api import confirm, create


def django_values(objs):
    meta = type(objs[0])._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    values = [
        field.get_db_prep_save(field.pre_save(obj, True), connection=connection) for obj in objs for field in fields
    ]
    return [value for value in values if value is not None]


def same(a, b) -> bool:
    """Equal values of the same type (a Jsonb wrapper compares by what it wraps)."""
    return type(a) is type(b) and (a == b or getattr(a, "obj", a) == getattr(b, "obj", b))


@pytest.mark.django_db
def test_the_rows_of_a_confirmation_bind_what_the_fields_own_conversions_give(user, user_api, other_user, eth):
    fund(user, eth, "2")
    transfer_id = create(user_api, user, amount="1", user=other_user.email).json()["data"]["id"]
    assert confirm(user_api, user, transfer_id).status_code == 200
    transfer = Transfer.objects.get(pk=transfer_id)
    for objs in (
        list(Order.objects.filter(transfer=transfer)),
        list(OrderStatusChange.objects.filter(order__transfer=transfer)),
        list(TransferStatusChange.objects.filter(transfer=transfer)),
        list(Notification.objects.filter(user__in=[user, other_user])),
        list(Delivery.objects.filter(user__in=[user, other_user])),
    ):
        assert objs
        for obj in objs:
            obj._state.adding = True
        _, params = insert_statement(objs, connection=connection)
        expected = django_values(objs)
        assert len(params) == len(expected)
        assert all(same(a, b) for a, b in zip(params, expected, strict=True)), type(objs[0])


@pytest.mark.django_db
def test_values_of_another_type_take_the_fields_own_conversions(user):
    text = lazy(lambda: "lazy title", str)()
    notification = Notification(user_id=str(user.pk), title=text, message=42, category="c", code="x", meta={"a": 1})
    delivery = Delivery(
        notification_id=str(uuid.uuid4()),
        user_id=user.pk,
        channel="email",
        recipient="a@b.c",
        template="t",
        attempts="3",
        created_at=timezone.now(),
        updated_at=datetime(2026, 1, 1, 12, 0),  # naive: made aware by DateTimeField, with its warning
    )
    order = Order(
        user=user, from_amount="1.50", rate=Decimal("1"), created_at=timezone.now(), updated_at=timezone.now()
    )
    for objs in ([notification], [delivery], [order]):
        with pytest.warns(RuntimeWarning) if objs == [delivery] else _nothing():
            _, params = insert_statement(objs, connection=connection)
        with pytest.warns(RuntimeWarning) if objs == [delivery] else _nothing():
            expected = django_values(objs)
        assert all(same(a, b) for a, b in zip(params, expected, strict=True)), type(objs[0])
    _, params = insert_statement([notification], connection=connection)
    strings = [value for value in params if type(value) is str]
    assert "lazy title" in strings and "42" in strings  # cast as Django casts them


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.django_db
def test_the_fixed_statement_query_converts_as_psycopgs_own_beyond_its_cache_limit():
    """ccpro.db keeps psycopg's placeholder parse per statement text, through psycopg's private
    `psycopg._queries` (pinned in requirements.txt). A psycopg upgrade that changes them must fail here, in CI,
    not fall back silently or convert differently on the cursor of every API request: for a statement with more
    parameters than psycopg caches (> 50), the subclass gives exactly psycopg's query, parameters, types and
    formats, the first time (parsed) and the next (kept)."""
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's server-side binding: PostgreSQL only")
    from psycopg._queries import MAX_CACHED_STATEMENT_PARAMS, PostgresQuery
    from psycopg.adapt import Transformer
    from psycopg.types.json import Jsonb

    from ccpro import db

    query_cls = db._preparing_cursor_class()._query_cls
    assert query_cls is not PostgresQuery and issubclass(query_cls, PostgresQuery)  # the fast path is in use
    values = [
        1,
        "text",
        Decimal("1.500000000000000001"),
        uuid.uuid4(),
        timezone.now(),
        True,
        Jsonb({"a": 1}),
        None,
        2**40,
        "ü",
    ]
    params = [values[index % len(values)] for index in range(MAX_CACHED_STATEMENT_PARAMS + 30)]
    sql = "SELECT " + ", ".join("%s" for _ in params) + f" /* {uuid.uuid4()} */"
    connection.ensure_connection()
    for _ in range(2):
        ours, theirs = query_cls(Transformer(connection.connection)), PostgresQuery(Transformer(connection.connection))
        ours.convert(sql, params)
        theirs.convert(sql, params)
        assert ours.query == theirs.query and b"$80" in ours.query
        assert list(ours.params) == list(theirs.params)
        assert ours.types == theirs.types and list(ours.formats) == list(theirs.formats)
    with db.prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row[:6] == tuple(params[:6]) and row[7] is None and row[-1] == params[len(params) - 1]


@pytest.mark.django_db
def test_without_psycopgs_internals_the_prepared_cursor_falls_back_to_psycopgs_conversion(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's server-side binding: PostgreSQL only")
    import types

    from psycopg._queries import PostgresQuery

    from ccpro import db

    changed = types.ModuleType("psycopg._queries")
    changed.PostgresQuery = PostgresQuery  # _query2pg_nocache renamed or gone
    monkeypatch.setitem(__import__("sys").modules, "psycopg._queries", changed)
    monkeypatch.setattr(db, "_PreparingCursor", None)
    cursor_class = db._preparing_cursor_class()
    assert cursor_class._query_cls is PostgresQuery
    monkeypatch.undo()
    assert db._preparing_cursor_class()._query_cls is not PostgresQuery  # back to the fast path
    params = list(range(60))
    with db.prepared_cursor(connection) as cursor:
        assert isinstance(cursor.cursor, db._preparing_cursor_class())
        cursor.execute("SELECT " + ", ".join("%s::int" for _ in params), params)
        assert list(cursor.fetchone()) == params
