from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "trading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from platforms.models import Platform, PlatformUserLink

        from . import (
            checks,  # noqa: F401  (registers the deploy check of the house's bank account)
            models,
        )
        from .selectors import market_config_invalidate, user_market_invalidate

        # The market configuration is cached under a version number; any edit of what it is built from
        # (in the admin or elsewhere) bumps it, so the next request reads the new configuration.
        def invalidate(**kwargs):
            market_config_invalidate()

        watched = (
            models.Asset,
            models.OperationConfig,
            models.SecondOperation,
            models.PaymentMethod,
            models.RateFeed,
            Platform,
        )
        for model in watched:
            post_save.connect(invalidate, sender=model, dispatch_uid=f"trading-config-{model.__name__}", weak=False)
            post_delete.connect(
                invalidate, sender=model, dispatch_uid=f"trading-config-del-{model.__name__}", weak=False
            )

        # A user's platform and discount are cached per user.
        def invalidate_user(instance, **kwargs):
            user_market_invalidate(user_id=instance.user_id)

        for model in (models.UserPricing, PlatformUserLink):
            post_save.connect(invalidate_user, sender=model, dispatch_uid=f"trading-user-{model.__name__}", weak=False)
            post_delete.connect(
                invalidate_user, sender=model, dispatch_uid=f"trading-user-del-{model.__name__}", weak=False
            )

        # The order list's totals are cached per user under a version any save of their orders bumps.
        from . import order_models
        from .order_selectors import orders_changed

        def order_saved(instance, **kwargs):
            orders_changed(user_id=instance.user_id)

        for model in (
            order_models.Order,
            order_models.PaymentReviewOrder,
            order_models.DepositToConfirm,
            order_models.WithdrawalToSend,
        ):
            post_save.connect(order_saved, sender=model, dispatch_uid=f"trading-orders-{model.__name__}", weak=False)
            post_delete.connect(
                order_saved, sender=model, dispatch_uid=f"trading-orders-del-{model.__name__}", weak=False
            )

        # A bank or card some quote or order used is "in use" for accounts (which never imports trading models).
        from accounts.selectors import instrument_usage_check_register

        from .order_selectors import instrument_used_by_orders

        instrument_usage_check_register(instrument_used_by_orders)
