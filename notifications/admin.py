"""Back office: staff see every user's inbox and every delivery with its attempts. Nothing is edited here;
the one action (send again) goes through the service."""

from django.contrib import admin, messages

from . import services
from .models import Delivery, DeliveryAttempt, Notification


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = Delivery
    fields = ("channel", "recipient", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0
    show_change_link = True


class DeliveryAttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ("number", "created_at", "succeeded", "provider_reference", "error")
    readonly_fields = fields
    extra = 0


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "code", "category", "title", "read_at")
    list_filter = ("category", "code", ("read_at", admin.EmptyFieldListFilter), "language", "created_at")
    search_fields = ("user__email", "=id", "title", "message")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("id", "user", "category", "code", "title", "message", "meta", "language", "created_at", "read_at")
    readonly_fields = fields
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "template", "status", "attempts", "sent_at", "user")
    list_filter = ("status", "channel", "template", "language", "created_at")
    search_fields = ("recipient", "user__email", "=notification__id", "provider_reference")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = (
        "notification",
        "user",
        "channel",
        "recipient",
        "template",
        "language",
        "subject",
        "status",
        "attempts",
        "last_error",
        "provider_reference",
        "created_at",
        "updated_at",
        "sent_at",
    )
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["send_again"]

    @admin.action(description="Send the selected failed notification deliveries again")
    def send_again(self, request, queryset):
        done = sum(services.delivery_retry(delivery=delivery) for delivery in queryset)
        skipped = queryset.count() - done
        self.message_user(request, f"{done} delivery(ies) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: already sent, or an account mail whose content is not kept.",
                messages.WARNING,
            )
