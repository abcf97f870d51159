from django import forms
from django.contrib import admin, messages
from django.db import transaction

from . import keys, services
from .models import IenCall, IenEvent, Platform, PlatformKey, PlatformStaff, PlatformUserLink


class PlatformKeyInline(admin.TabularInline):
    model = PlatformKey
    fields = ("bits", "fingerprint", "created_at", "valid_until")
    readonly_fields = ("bits", "fingerprint", "created_at")
    extra = 0
    max_num = 0
    can_delete = False


class PlatformStaffInline(admin.TabularInline):
    model = PlatformStaff
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)
    extra = 0


class PlatformAdminForm(forms.ModelForm):
    new_public_key = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text="PEM RSA public key (>= 2048 bits). Saving rotates: the previous keys stay valid for the "
        "grace period (PLATFORM_KEY_ROTATION_GRACE_HOURS).",
    )

    class Meta:
        model = Platform
        fields = (
            "code",
            "name",
            "base_url",
            "color_code",
            "active",
            "jwt_algorithm",
            "hmac_secret",
            "ien_url",
            "ien_type",
            "api_enabled",
            "partner_enabled",
            "partner_url",
            "checkout_enabled",
            "widget_enabled",
            "widget_url",
            "reference_fiat",
            "reference_period_type",
            "reference_period_value",
        )

    def clean_new_public_key(self):
        value = self.cleaned_data["new_public_key"].strip()
        if value:
            try:
                keys.rsa_public_key_load(value)
            except keys.PublicKeyError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    form = PlatformAdminForm
    list_display = ("code", "name", "base_url", "ien_type", "jwt_algorithm", "active", "created_at")
    list_filter = ("active", "ien_type", "jwt_algorithm")
    search_fields = ("code", "name")
    readonly_fields = ("id", "created_at")
    inlines = (PlatformKeyInline, PlatformStaffInline)
    actions = ("issue_key_pair",)
    fieldsets = (
        (None, {"fields": ("id", "code", "name", "base_url", "color_code", "active", "created_at")}),
        ("Authentication", {"fields": ("jwt_algorithm", "hmac_secret", "new_public_key")}),
        ("Instant event notifications", {"fields": ("ien_url", "ien_type")}),
        (
            "Integrations",
            {
                "fields": (
                    "api_enabled",
                    "partner_enabled",
                    "partner_url",
                    "checkout_enabled",
                    "widget_enabled",
                    "widget_url",
                )
            },
        ),
        ("Reference", {"fields": ("reference_fiat", "reference_period_type", "reference_period_value")}),
    )

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not obj.hmac_secret:
                obj.hmac_secret = services.hmac_secret_generate()
            super().save_model(request, obj, form, change)
            public_key = form.cleaned_data.get("new_public_key")
            if public_key:
                services.platform_key_add(platform=obj, public_key=public_key)
                messages.info(
                    request, "The new public key is active; the previous keys stay valid for the grace period."
                )

    @admin.action(description="Issue a new key pair (shows the private key once)")
    def issue_key_pair(self, request, queryset):
        for platform in queryset:
            private_pem = services.platform_key_generate(platform=platform)
            messages.warning(
                request,
                f"{platform.code}: hand this private key to the partner now, CCPro does not keep it:\n{private_pem}",
            )


@admin.register(PlatformKey)
class PlatformKeyAdmin(admin.ModelAdmin):
    list_display = ("platform", "bits", "fingerprint", "created_at", "valid_until")
    list_filter = ("platform",)
    readonly_fields = ("platform", "public_key", "bits", "fingerprint", "created_at")
    actions = ("revoke_now",)

    def has_add_permission(self, request):
        return False  # keys are added on the platform's page, where they are checked

    @admin.action(description="Revoke now (no grace period)")
    def revoke_now(self, request, queryset):
        for key in queryset:
            services.platform_key_revoke(key=key)
        messages.success(request, f"{queryset.count()} key(s) revoked.")


@admin.register(PlatformUserLink)
class PlatformUserLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "platform", "external_user_id", "username", "active", "created_at")
    list_filter = ("platform", "active")
    search_fields = ("user__email", "external_user_id", "username", "email")
    list_select_related = ("user", "platform")
    raw_id_fields = ("user",)


class IenCallInline(admin.TabularInline):
    model = IenCall
    fields = ("created_at", "endpoint", "status", "error", "duration_ms", "response")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)


@admin.register(IenEvent)
class IenEventAdmin(admin.ModelAdmin):
    list_display = ("event_id", "platform", "type", "stream", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("status", "platform", "type")
    search_fields = ("event_id", "stream")
    list_select_related = ("platform",)
    readonly_fields = (
        "event_id",
        "platform",
        "type",
        "stream",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "delivered_at",
        "last_error",
        "created_at",
    )
    inlines = (IenCallInline,)
    actions = ("send_again",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again (same event id)")
    def send_again(self, request, queryset):
        for event in queryset:
            services.ien_resend(event=event)
        messages.success(request, f"{queryset.count()} event(s) queued to be sent again.")


@admin.register(IenCall)
class IenCallAdmin(admin.ModelAdmin):
    list_display = ("created_at", "platform", "endpoint", "status", "error", "duration_ms")
    list_filter = ("platform", "status")
    list_select_related = ("platform",)
    readonly_fields = (
        "platform",
        "event",
        "endpoint",
        "verb",
        "request",
        "status",
        "response",
        "error",
        "duration_ms",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The checkout widget's admin lives in its own module.
from . import checkout_admin  # noqa: E402, F401
