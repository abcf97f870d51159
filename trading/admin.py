from django.contrib import admin, messages

from . import ledger_admin, services, transfer_admin  # noqa: F401  (the *_admin modules register their views)
from .models import (
    Asset,
    ManualRate,
    OperationConfig,
    PaymentMethod,
    RateFeed,
    RateSnapshot,
    SecondOperation,
    UserPricing,
)


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("symbol", "name", "kind", "chain", "decimals", "active", "position")
    list_filter = ("kind", "active")
    list_editable = ("active", "position")
    search_fields = ("symbol", "name")

    def get_readonly_fields(self, request, obj=None):
        # Amounts already stored were quantized to these decimals: they are fixed once the asset exists.
        return ("symbol", "kind", "decimals") if obj else ()


class SecondOperationInline(admin.TabularInline):
    model = SecondOperation
    extra = 0


@admin.register(OperationConfig)
class OperationConfigAdmin(admin.ModelAdmin):
    list_display = ("platform", "asset", "operation", "fiat", "status", "commission_percent", "position")
    list_filter = ("platform", "asset", "operation", "status")
    list_editable = ("status", "commission_percent")
    list_select_related = ("platform", "asset", "fiat")
    fieldsets = (
        (None, {"fields": ("platform", "asset", "operation", "fiat", "status", "commission_percent", "position")}),
        ("Limits (empty: none)", {"fields": (("crypto_min", "crypto_max"), ("fiat_min", "fiat_max"))}),
    )
    inlines = [SecondOperationInline]
    actions = ["enable", "disable"]

    @admin.action(description="Enable the selected operations")
    def enable(self, request, queryset):
        for config in queryset:  # one save each, so the cached configuration is refreshed
            config.status = True
            config.save(update_fields=["status"])

    @admin.action(description="Disable the selected operations")
    def disable(self, request, queryset):
        for config in queryset:
            config.status = False
            config.save(update_fields=["status"])


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ("platform", "kind", "name", "fiat", "status", "fee_percent", "fee_fixed", "fee_on_top")
    list_filter = ("platform", "kind", "status")
    list_select_related = ("platform", "fiat")


@admin.register(UserPricing)
class UserPricingAdmin(admin.ModelAdmin):
    list_display = ("user", "discount_percent")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(RateFeed)
class RateFeedAdmin(admin.ModelAdmin):
    list_display = ("__str__", "provider", "max_age_seconds", "updated_at")

    def has_add_permission(self, request):
        return not RateFeed.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ManualRate)
class ManualRateAdmin(admin.ModelAdmin):
    list_display = ("asset", "price", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")
    list_select_related = ("asset", "updated_by")

    def save_model(self, request, obj, form, change):
        saved = services.manual_rate_set(actor=request.user, asset=obj.asset, price=obj.price)
        obj.pk, obj.updated_at, obj.updated_by = saved.pk, saved.updated_at, saved.updated_by
        messages.info(request, "Used from the next poll of the rate feed.")


@admin.register(RateSnapshot)
class RateSnapshotAdmin(admin.ModelAdmin):
    list_display = ("asset", "price", "source", "ts")
    list_filter = ("asset", "source")
    list_select_related = ("asset",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Registered by import: orders, quotes, work queues and the deposit address pool.
from . import order_admin  # noqa: E402, F401
