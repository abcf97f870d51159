from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from ccpro.admin_readonly import ReadOnlyAdmin
from ccpro.errors import DomainError

from . import instruments, services
from .models import AccessToken, Bank, Card, InstrumentStatusChange, SecurityEvent, User, Wallet


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


# --- Banks, cards and wallets: staff review queues (issue 5) ---------------------------------------


class InstrumentStatusChangeInline(admin.TabularInline):
    """Every status move of the instrument: who, when, from, to, why. Read-only."""

    model = InstrumentStatusChange
    fields = ("created_at", "from_status", "to_status", "actor", "actor_user", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user")


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class InstrumentAdmin(admin.ModelAdmin):
    """A review queue: nothing is edited by hand; statuses change only through the confirm/reject actions."""

    list_filter = ("status", "created_at", "reviewed_at", ("deleted_at", admin.EmptyFieldListFilter))
    date_hierarchy = "created_at"
    list_select_related = ("user", "reviewed_by")
    actions = ["confirm_selected", "reject_selected"]
    inlines = [InstrumentStatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple = ()

    @admin.action(description="Confirm selected (pending only)", permissions=["change"])
    def confirm_selected(self, request, queryset):
        self._decide(request, queryset, lambda obj: instruments.instrument_confirm(instrument=obj, staff=request.user))

    @admin.action(description="Reject selected, with a reason", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._decide(
                request,
                queryset,
                lambda obj: instruments.instrument_reject(instrument=obj, staff=request.user, reason=reason),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reject {self.model._meta.verbose_name_plural}",
            "opts": self.model._meta,
            "queryset": queryset.select_related("user"),
            "form": form,
        }
        return TemplateResponse(request, "admin/accounts/instrument_reject.html", context)

    def _decide(self, request, queryset, decide):
        done = 0
        for obj in queryset.select_related("user"):
            try:
                decide(obj)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{obj}: {error.message}", messages.WARNING)
        self.message_user(request, f"{done} {self.model._meta.verbose_name_plural} updated.", messages.SUCCESS)


@admin.register(Bank)
class BankAdmin(InstrumentAdmin):
    list_display = ("iban", "bank_name", "swift", "currency", "user", "status", "created_at", "reviewed_by")
    list_filter = ("status", "currency", "created_at", "reviewed_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "iban", "bank_name", "swift")


def _file_preview(file_id) -> str:
    url = reverse("stored-file", args=[file_id])
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">'
        '<img src="{}" alt="file {}" style="max-height:240px;max-width:360px"></a>',
        url,
        url,
        file_id,
    )


@admin.register(Card)
class CardAdmin(InstrumentAdmin):
    list_display = ("alias", "last_four_digits", "holder_name", "expiration", "user", "status", "created_at")
    search_fields = ("user__email", "alias", "holder_name", "last_four_digits")
    extra_readonly = ("card_image_preview", "holding_image_preview")

    @admin.display(description="Card image")
    def card_image_preview(self, obj):
        return _file_preview(obj.image_front_id)

    @admin.display(description="User holding the card")
    def holding_image_preview(self, obj):
        return _file_preview(obj.image_holding_id)


@admin.register(Wallet)
class WalletAdmin(InstrumentAdmin):
    list_display = ("address", "asset", "alias", "user", "status", "created_at", "reviewed_by")
    list_filter = ("status", "asset", "created_at", "reviewed_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "address", "alias")
    list_select_related = ("user", "reviewed_by", "asset")
