"""Transfers in the admin: terms per platform are edited here; transfers themselves are read-only (their status
changes only through trading/transfers.py)."""

from django.contrib import admin

from .transfer_models import Transfer, TransferConfig, TransferStatusChange


@admin.register(TransferConfig)
class TransferConfigAdmin(admin.ModelAdmin):
    list_display = ("platform", "asset", "active", "min_amount", "commission_percent")
    list_filter = ("platform", "asset", "active")
    list_editable = ("active", "min_amount", "commission_percent")
    list_select_related = ("platform", "asset")


class TransferStatusChangeInline(admin.TabularInline):
    model = TransferStatusChange
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "status",
        "action",
        "asset",
        "amount",
        "commission",
        "from_user",
        "to_user",
        "created_at",
    )
    list_filter = ("status", "action", "asset", "created_at")
    search_fields = ("public_id", "=id", "from_user__email", "to_user__email")
    list_select_related = ("asset", "from_user", "to_user")
    date_hierarchy = "created_at"
    inlines = [TransferStatusChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
