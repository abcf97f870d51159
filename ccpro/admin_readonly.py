from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Admin pages staff may look at but never edit: logs, ledgers, audit trails."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
