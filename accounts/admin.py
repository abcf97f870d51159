from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from ccpro.errors import DomainError

from . import services
from .models import AccessToken, SecurityEvent, User


class SecurityEventInline(admin.TabularInline):
    model = SecurityEvent
    fk_name = "user"
    fields = ("created_at", "code", "actor", "actor_user", "ip")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-created_at",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "is_active",
        "trade_status",
        "source",
        "created_at",
        "self_deleted_at",
        "is_staff",
    )
    list_filter = ("is_active", "trade_status", "is_staff", "source", "language", "created_at")
    search_fields = ("email", "first_name", "last_name", "phone", "id")
    readonly_fields = (
        "id",
        "created_at",
        "last_login",
        "email_verified_at",
        "self_deleted_at",
        "self_delete_requested_at",
        "closed_at",
        "is_active",
    )
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        (
            "Personal",
            {"fields": ("first_name", "last_name", "date_of_birth", "phone", "country", "city", "zip_code", "street")},
        ),
        (
            "Status",
            {
                "fields": (
                    "is_active",
                    "email_verified_at",
                    "trade_status",
                    "self_deleted_at",
                    "self_delete_requested_at",
                    "closed_at",
                )
            },
        ),
        ("Options", {"fields": ("language", "theme", "source")}),
        ("Staff", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [SecurityEventInline]
    actions = ["deactivate_users", "activate_users"]

    @admin.action(description="Deactivate selected accounts (revokes their tokens)")
    def deactivate_users(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Activate selected accounts")
    def activate_users(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active):
        done = 0
        for user in queryset:
            try:
                services.user_set_active(user=user, active=active, staff=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{user.email}: {error.message}", messages.WARNING)
        self.message_user(request, f"{done} account(s) updated.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "code", "actor", "actor_user", "ip")
    list_filter = ("code", "actor", "created_at")
    search_fields = ("user__email", "ip")
    list_select_related = ("user", "actor_user")
    date_hierarchy = "created_at"


@admin.register(AccessToken)
class AccessTokenAdmin(ReadOnlyAdmin):
    list_display = ("masked", "user", "type", "created_at", "last_used_at", "expires_at", "revoked_at", "ip")
    list_filter = ("type", "created_at")
    search_fields = ("user__email", "prefix")
    list_select_related = ("user",)
    exclude = ("token_hash",)
