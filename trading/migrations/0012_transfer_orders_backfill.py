"""Completed transfers from before their orders existed (0011) named `fromOrder`/`toOrder` ids with no order
behind them: write those orders now, with the same ids and public ids, as trading.transfers does on completion
(APPROVED, one history row each, no ledger posting: the transfer's ledger transaction already moved the money)."""

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 1000


def transfer_orders_backfill(apps, schema_editor):
    Transfer = apps.get_model("trading", "Transfer")
    Order = apps.get_model("trading", "Order")
    OrderStatusChange = apps.get_model("trading", "OrderStatusChange")
    missing = (
        Transfer.objects.filter(status="completed", from_order_id__isnull=False)
        .exclude(Exists(Order.objects.filter(transfer=OuterRef("pk"))))
        .select_related("asset")
        .order_by("pk")
    )
    while True:
        batch = list(missing[:BATCH])
        if not batch:
            return
        orders, history = [], []
        for transfer in batch:
            asset, done = transfer.asset, transfer.closed_at or transfer.created_at
            for order_id, public_id, user_id, operation in (
                (transfer.from_order_id, transfer.from_order_public_id, transfer.from_user_id, "transfer_out"),
                (transfer.to_order_id, transfer.to_order_public_id, transfer.to_user_id, "transfer_in"),
            ):
                orders.append(
                    Order(
                        id=order_id,
                        public_id=public_id,
                        user_id=user_id,
                        status="APPROVED",
                        type=asset.kind,
                        operation=operation,
                        asset=asset,
                        from_asset=asset,
                        from_amount=transfer.amount,
                        rate=1,
                        to_asset=asset,
                        to_amount=transfer.total,
                        commission_percent=transfer.commission_percent,
                        commission_amount=transfer.commission,
                        platform_id=transfer.platform_id,
                        transfer=transfer,
                        created_at=done,
                        updated_at=done,
                    )
                )
                history.append(
                    OrderStatusChange(
                        order_id=order_id,
                        from_status="",
                        to_status="APPROVED",
                        actor="User",
                        actor_user_id=transfer.from_user_id,
                        reason=f"transfer {transfer.public_id} completed",
                        created_at=done,
                    )
                )
        Order.objects.bulk_create(orders)
        OrderStatusChange.objects.bulk_create(history)


class Migration(migrations.Migration):
    dependencies = [("trading", "0011_order_transfer_link_and_transfer_operations")]

    operations = [migrations.RunPython(transfer_orders_backfill, migrations.RunPython.noop)]
