"""Back office of checkouts: read-only, with their status history; staff may expire open ones (through the
transition service, so the platform and its ping_url hear of it)."""

from django.contrib import admin, messages

from . import checkout as services
from .checkout_exceptions import CheckoutTransitionNotAllowed
from .checkout_models import Checkout, CheckoutStatusChange


class CheckoutStatusChangeInline(admin.TabularInline):
    model = CheckoutStatusChange
    fields = ("created_at", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Checkout)
class CheckoutAdmin(admin.ModelAdmin):
    list_display = ("public_id", "platform", "user", "status", "step", "amount", "symbol", "fiat", "created_at")
    list_filter = ("status", "step", "platform")
    search_fields = ("public_id", "request_id", "user__email")
    list_select_related = ("platform", "user")
    readonly_fields = [field.name for field in Checkout._meta.fields]
    inlines = (CheckoutStatusChangeInline,)
    actions = ("expire",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Expire the selected open checkouts")
    def expire(self, request, queryset):
        done = 0
        for checkout in queryset:
            try:
                services.checkout_transition(
                    checkout_id=checkout.pk, to_status="expired", reason=f"staff {request.user}"
                )
                done += 1
            except CheckoutTransitionNotAllowed:
                pass
        messages.success(request, f"{done} checkout(s) expired.")
