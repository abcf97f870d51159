from django.contrib import admin

from .models import Platform, PlatformUserLink


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "base_url", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(PlatformUserLink)
class PlatformUserLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "platform", "external_user_id", "username", "active", "created_at")
    list_filter = ("platform", "active")
    search_fields = ("user__email", "external_user_id", "username", "email")
    list_select_related = ("user", "platform")
    raw_id_fields = ("user",)
