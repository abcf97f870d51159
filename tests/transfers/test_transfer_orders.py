"""A completed transfer's two orders (`fromOrder`, `toOrder`): real Order rows, seen by each party through the
order endpoints, born APPROVED, never decided, never posting to the ledger, never counted as buys or sells."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from trading.ledger_models import LedgerTransaction
from trading.order_models import Order, OrderStatusChange
from trading.order_selectors import order_period_amounts
from trading.orders import OrderTransitionNotAllowed, order_transition

from ..gates.shapes import compare_shapes
from ..gates.test_contracts import ENDPOINTS, success_example
from .conftest import fund
from .test_transfer_api import confirm, create, ledger_clean

D = Decimal
TRANSFER_ORDER = "A transfer's order: no instrument, wallet, transaction or parent; the reference shows nulls there."
NAMES_TRANSFER = "A transfer's order names its transfer (the reference's example is an order without one: nulls)."
NO_QUOTE = "A transfer's order comes from no quote: `quote` is null (the reference's example embeds one)."


def completed_transfer(user, user_api, other_user, eth, amount="1"):
    fund(user, eth, "2")
    created = create(user_api, user, amount=amount, user=other_user.email).json()["data"]
    done = confirm(user_api, user, created["id"])
    assert done.status_code == 200, done.content
    return done.json()["data"]


def reference_example(method: str, path: str) -> dict:
    endpoint = next(e for e in ENDPOINTS if (e["method"], e["path"]) == (method, path))
    return success_example(endpoint, None)["example"]


@pytest.mark.django_db
def test_both_parties_see_their_order_and_the_transfer_names_them(user, user_api, other_user, other_api, eth):
    done = completed_transfer(user, user_api, other_user, eth)
    shown = user_api.get(f"/api/v1/user/{user.pk}/transfer/{done['id']}").json()["data"]
    assert shown == done  # the confirmation's plain-data body is the serializer's (TransferOutput) body
    assert shown["fromOrder"]["id"] != shown["toOrder"]["id"]

    out_order = user_api.get(f"/api/v1/user/{user.pk}/order/{shown['fromOrder']['id']}")
    assert out_order.status_code == 200
    out_body = out_order.json()["data"]
    assert out_body["publicId"] == shown["fromOrder"]["publicId"]
    assert (out_body["status"], out_body["typeOperation"], out_body["typeOperationName"]) == (
        "APPROVED",
        "out",
        "transfer_out",
    )
    assert (out_body["fromSymbol"], out_body["toSymbol"], out_body["type"]) == ("ETH", "ETH", "coin")
    assert (D(out_body["fromAmount"]), D(out_body["toAmount"])) == (D("1"), D("0.99"))
    assert out_body["commissions"] == {"percent": "1", "amount": "0.010000000000000000"}
    assert out_body["transfer"] == {"id": done["id"], "publicId": done["publicId"]}

    in_order = other_api.get(f"/api/v1/user/{other_user.pk}/order/{shown['toOrder']['id']}")
    assert in_order.status_code == 200
    in_body = in_order.json()["data"]
    assert in_body["publicId"] == shown["toOrder"]["publicId"]
    assert (in_body["typeOperation"], in_body["typeOperationName"], in_body["status"]) == (
        "in",
        "transfer_in",
        "APPROVED",
    )
    assert D(in_body["toAmount"]) == D("0.99")
    assert in_body["transfer"] == {"id": done["id"], "publicId": done["publicId"]}

    # Each order is its owner's only.
    assert user_api.get(f"/api/v1/user/{user.pk}/order/{shown['toOrder']['id']}").status_code == 404
    assert other_api.get(f"/api/v1/user/{other_user.pk}/order/{shown['fromOrder']['id']}").status_code == 404

    # In both users' lists (all, coin).
    for client, owner, order_id in ((user_api, user, out_body["id"]), (other_api, other_user, in_body["id"])):
        for path in ("order", "order/coin"):
            listed = client.get(f"/api/v1/user/{owner.pk}/{path}").json()["data"]
            assert [o["id"] for o in listed] == [order_id]

    # One ledger transaction moved the money; the orders posted nothing of their own.
    assert LedgerTransaction.objects.filter(kind="transfer_complete").count() == 1
    assert not LedgerTransaction.objects.filter(reference__startswith="order:").exists()
    assert ledger_clean()
    history = OrderStatusChange.objects.filter(order__transfer_id=done["id"])
    assert sorted(history.values_list("from_status", "to_status")) == [("", "APPROVED")] * 2


@pytest.mark.django_db
def test_transfer_order_bodies_have_the_reference_shape(user, user_api, other_user, eth):
    done = completed_transfer(user, user_api, other_user, eth)
    decisions = {
        "$.data.quote": NO_QUOTE,
        "$.data.wallet": TRANSFER_ORDER,
        "$.data.parentOrder.id": TRANSFER_ORDER,
        "$.data.parentOrder.publicId": TRANSFER_ORDER,
        "$.data.payment.id": TRANSFER_ORDER,
        "$.data.payment.method": TRANSFER_ORDER,
        "$.data.payment.url": TRANSFER_ORDER,
        "$.data.transfer.id": NAMES_TRANSFER,
        "$.data.transfer.publicId": NAMES_TRANSFER,
    }
    detail = user_api.get(f"/api/v1/user/{user.pk}/order/{done['fromOrder']['id']}").json()
    comparison = compare_shapes(reference_example("GET", "/api/v1/user/{user}/order/{order}"), detail, decisions)
    assert not comparison.problems, comparison.problems
    listed = user_api.get(f"/api/v1/user/{user.pk}/order").json()
    list_decisions = {
        key.replace("$.data.", "$.data[]."): why for key, why in decisions.items() if key != "$.data.quote"
    }
    list_decisions["$.data[].quote.id"] = list_decisions["$.data[].quote.publicId"] = NO_QUOTE
    comparison = compare_shapes(reference_example("GET", "/api/v1/user/{user}/order"), listed, list_decisions)
    assert not comparison.problems, comparison.problems


@pytest.mark.django_db
def test_transfer_orders_are_not_decidable_and_not_buys_or_sells(user, user_api, other_user, eth):
    done = completed_transfer(user, user_api, other_user, eth)
    for order_id in (done["fromOrder"]["id"], done["toOrder"]["id"]):
        for to_status in (Order.Status.REJECTED, Order.Status.APPROVED, Order.Status.PROCESSING_PAYMENT):
            with pytest.raises(OrderTransitionNotAllowed):
                order_transition(order_id=order_id, to_status=to_status, actor="Staff")
    assert set(Order.objects.filter(transfer_id=done["id"]).values_list("status", flat=True)) == {"APPROVED"}
    since = timezone.now() - timedelta(days=1)
    for party in (user, other_user):
        assert order_period_amounts(user=party, since=since, fiat="EUR") == {"buy": D(0), "sell": D(0)}


@pytest.mark.django_db
def test_refused_or_expired_transfers_have_no_orders(user, user_api, other_user, eth):
    fund(user, eth, "2")
    created = create(user_api, user, amount="1", user=other_user.email).json()["data"]
    refused = confirm(user_api, user, created["id"], {"action": "refuse"})
    assert refused.status_code == 200 and refused.json()["data"]["fromOrder"] == {"id": None, "publicId": None}
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_decide_a_transfers_order_in_the_admin(user, user_api, other_user, eth, client):
    from django.urls import reverse

    from ..conftest import staff_login
    from ..factories import UserFactory
    from .conftest import balances

    done = completed_transfer(user, user_api, other_user, eth)
    staff_login(client, UserFactory(is_staff=True, is_superuser=True))
    orders = reverse("admin:trading_order_changelist")
    listed = client.get(orders, {"operation__exact": "transfer_in"})
    assert listed.status_code == 200 and done["toOrder"]["publicId"].encode() in listed.content
    before = balances(other_user, eth)
    for action in ("reject_selected", "approve_selected"):
        response = client.post(
            orders,
            {"action": action, "_selected_action": [done["toOrder"]["id"]], "apply": "1", "reason": "try"},
            follow=True,
        )
        assert b"decided by its transfer only" in response.content
    assert Order.objects.get(pk=done["toOrder"]["id"]).status == "APPROVED"
    assert balances(other_user, eth) == before
    assert ledger_clean()


@pytest.mark.django_db
def test_transfers_completed_before_the_orders_existed_get_them_by_migration(user, user_api, other_user, eth):
    from importlib import import_module

    from django.apps import apps

    done = completed_transfer(user, user_api, other_user, eth)
    # As before migration 0011: the transfer names its orders, no order exists.
    OrderStatusChange.objects.filter(order__transfer_id=done["id"]).delete()
    Order.objects.filter(transfer_id=done["id"]).delete()
    assert user_api.get(f"/api/v1/user/{user.pk}/order/{done['fromOrder']['id']}").status_code == 404

    backfill = import_module("trading.migrations.0012_transfer_orders_backfill").transfer_orders_backfill
    backfill(apps, None)
    backfill(apps, None)  # a second run finds nothing to do

    out_order = user_api.get(f"/api/v1/user/{user.pk}/order/{done['fromOrder']['id']}").json()["data"]
    assert (out_order["publicId"], out_order["typeOperationName"]) == (done["fromOrder"]["publicId"], "transfer_out")
    assert out_order["transfer"] == {"id": done["id"], "publicId": done["publicId"]}
    assert Order.objects.filter(transfer_id=done["id"]).count() == 2
    assert OrderStatusChange.objects.filter(order__transfer_id=done["id"]).count() == 2
    assert ledger_clean()


@pytest.mark.django_db
def test_order_list_totals_counted_before_a_transfer_count_its_orders(
    user, user_api, other_user, other_api, eth, django_capture_on_commit_callbacks
):
    """The order lists cache their X-Total per user; a completion writes its orders without save() and must
    make both parties' cached totals stale (once it has committed: the bump runs after the commit)."""
    for client, owner in ((user_api, user), (other_api, other_user)):
        before = client.get(f"/api/v1/user/{owner.pk}/order")
        assert before["X-Total"] == "0" and before.json()["data"] == []
    with django_capture_on_commit_callbacks(execute=True):
        completed_transfer(user, user_api, other_user, eth)
    for client, owner in ((user_api, user), (other_api, other_user)):
        after = client.get(f"/api/v1/user/{owner.pk}/order")
        assert after["X-Total"] == "1" and len(after.json()["data"]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_cache_failure_after_the_commit_does_not_fail_the_confirmation(user, user_api, other_user, eth, caplog):
    """The orders-version bump runs after the confirmation has committed (the transfer is completed, the money
    moved): Redis failing there is logged and the client still gets its 200, not a 500 for a done transfer."""
    import redis
    from django.core.cache import caches

    cache = caches["default"]
    real_set, real_set_many = cache.set, cache.set_many
    failed = []

    def refuse_versions(keys):
        if any(str(key).startswith("trading:orders:version:") for key in keys):
            failed.append(list(keys))
            raise redis.exceptions.ConnectionError("Redis went away")

    def set_(key, *args, **kwargs):
        refuse_versions([key])
        return real_set(key, *args, **kwargs)

    def set_many(data, *args, **kwargs):
        refuse_versions(data)
        return real_set_many(data, *args, **kwargs)

    with (
        mock.patch.object(cache, "set", set_),
        mock.patch.object(cache, "set_many", set_many),
        caplog.at_level("ERROR"),
    ):
        done = completed_transfer(user, user_api, other_user, eth)  # asserts the 200
    assert failed  # the bump was tried, after the commit, and failed
    assert done["status"] == "completed"
    assert Order.objects.filter(transfer_id=done["id"]).count() == 2
    assert "orders version" in caplog.text
    assert ledger_clean()
