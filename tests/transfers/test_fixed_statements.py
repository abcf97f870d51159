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
