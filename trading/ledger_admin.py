"""Read-only ledger views for staff: nobody edits a balance or an entry from the admin."""

from django.contrib import admin

from ccpro.admin_readonly import ReadOnlyAdmin

from .ledger_models import LedgerAccount, LedgerEntry, LedgerTransaction


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fk_name = "account"
    fields = ("created_at", "transaction", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-id",)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("transaction")


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "asset", "kind", "shard", "balance", "created_at")
    list_filter = ("kind", "asset")
    search_fields = ("user__email", "=user__id")
    list_select_related = ("user", "asset")
    inlines = [LedgerEntryInline]


class TransactionEntryInline(LedgerEntryInline):
    fk_name = "transaction"
    fields = ("account", "asset", "amount")
    readonly_fields = fields

    def get_queryset(self, request):
        return LedgerEntry.objects.select_related("account__user", "account__asset", "asset")


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "reference", "idempotency_key")
    list_filter = ("kind",)
    search_fields = ("reference", "idempotency_key", "entries__account__user__email")
    date_hierarchy = "created_at"
    inlines = [TransactionEntryInline]
