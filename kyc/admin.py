"""The compliance back office: review queue, one review page per user, a decision page per item, video calls,
staff availability, levels, the reason catalogue and the read-only audit trail.

Decisions go through `kyc.services` (item_accept / item_reject / video_call_complete); the admin never writes a
status itself. Compliance officers (group "Compliance officer", permission kyc.decide_kycitem) decide; support
staff (group "Support") only have view permissions, so every page is read-only for them.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ccpro.errors import DomainError

from . import services
from .models import (
    ItemKind,
    ItemStatus,
    KycAuditEntry,
    KycItem,
    KycLevel,
    KycReview,
    RejectReason,
    StaffAvailability,
    VideoCall,
)
from .selectors import EDD_FIELDS, file_url, review_queue

REASON_FIELDS = {
    ItemKind.PERSONAL: ("firstName", "lastName", "dateOfBirth"),
    ItemKind.ADDRESS: ("country", "city", "zip", "street"),
    ItemKind.EDD: EDD_FIELDS,
}
UNDECIDABLE = {ItemKind.PHONE, ItemKind.VIDEO}  # the SMS code decides the phone, the call outcome the video


def reason_fields(item) -> tuple[str, ...]:
    if item is None or item.kind in UNDECIDABLE:
        return ()
    return REASON_FIELDS.get(item.kind, ("file",))


def _preview(file_id):
    if not file_id:
        return "—"
    url = file_url(file_id)
    return format_html(
        '<a href="{}" target="_blank"><img src="{}" style="max-height:240px;max-width:360px"></a>', url, url
    )


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[("", "—"), ("accept", "Accept"), ("reject", "Reject")], required=True)

    class Meta:
        model = KycItem
        fields: list[str] = []

    def clean(self):
        data = super().clean()
        if self.instance.status != ItemStatus.PENDING:
            raise forms.ValidationError("Only items awaiting review can be decided.")
        reasons = {name: data.get(f"reason_{name}") for name in reason_fields(self.instance)}
        if data.get("decision") == "reject" and not any(reasons.values()):
            raise forms.ValidationError("A rejection needs a reason for at least one field.")
        return data


def decision_form_for(item):
    choices = [("", "—"), *RejectReason.objects.filter(active=True).values_list("code", "code")]
    attrs = {
        f"reason_{name}": forms.ChoiceField(choices=choices, required=False, label=f"Reason: {name}")
        for name in reason_fields(item)
    }
    return type("KycItemDecisionForm", (DecisionForm,), attrs)


class DeciderOnly:
    """Changing (deciding) needs the decide permission besides the model's change permission."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm("kyc.decide_kycitem")


@admin.register(KycItem)
class KycItemAdmin(DeciderOnly, admin.ModelAdmin):
    list_display = ("user", "kind", "status", "submitted_at", "decided_at", "decided_by")
    list_filter = ("status", "kind", "user__platform_links__platform", "user__country", "submitted_at")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    ordering = ("submitted_at",)
    list_select_related = ("user", "decided_by")
    readonly_fields = (
        "review_page",
        "kind",
        "status",
        "submitted_values",
        "document",
        "reject_reasons",
        "submitted_at",
        "decided_at",
        "decided_by",
        "history",
        "audit_trail",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status == ItemStatus.PENDING and obj.kind not in UNDECIDABLE:
            if self.has_change_permission(request, obj):
                fields += ["decision", *(f"reason_{name}" for name in reason_fields(obj))]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = decision_form_for(obj)
        kwargs["fields"] = [f for f in self.get_fields(request, obj) if f not in self.readonly_fields]
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        try:
            if decision == "accept":
                services.item_accept(item=obj, staff=request.user)
            elif decision == "reject":
                reasons = {name: form.cleaned_data.get(f"reason_{name}") for name in reason_fields(obj)}
                services.item_reject(item=obj, staff=request.user, reasons=reasons)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)

    def save_related(self, request, form, formsets, change):
        pass

    def log_change(self, request, obj, message):
        pass  # the KYC audit trail records decisions with before/after

    @admin.display(description="User")
    def review_page(self, obj):
        url = reverse("admin:kyc_kycreview_change", args=[obj.user_id])
        return format_html('<a href="{}">{} — review page</a>', url, obj.user)

    @admin.display(description="Submitted values")
    def submitted_values(self, obj):
        user = obj.user
        if obj.kind == ItemKind.PERSONAL:
            values = {"firstName": user.first_name, "lastName": user.last_name, "dateOfBirth": user.date_of_birth}
        elif obj.kind == ItemKind.ADDRESS:
            values = {"country": user.country, "city": user.city, "zip": user.zip_code, "street": user.street}
        elif obj.kind == ItemKind.PHONE:
            values = {"phone": f"+{user.phone}" if user.phone else ""}
        else:
            values = obj.data or {}
        return format_html_join("", "<div><b>{}</b>: {}</div>", ((k, v) for k, v in values.items())) or "—"

    @admin.display(description="Document")
    def document(self, obj):
        if obj.kind == ItemKind.EDD:
            data = obj.data or {}
            return format_html("{} {}", _preview(data.get("fundsSourceFile")), _preview(data.get("fundsOriginFile")))
        return _preview(obj.file_id)

    @admin.display(description="Earlier submissions")
    def history(self, obj):
        rows = [(s.created_at.strftime("%Y-%m-%d %H:%M"), s.data, _preview(s.file_id)) for s in obj.submissions.all()]
        return format_html_join("", "<div>{} — {} {}</div>", rows) or "—"

    @admin.display(description="Audit trail")
    def audit_trail(self, obj):
        rows = [
            (
                a.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                a.actor or "system",
                a.action,
                a.before.get("status"),
                a.after.get("status"),
            )
            for a in obj.audit.select_related("actor")
        ]
        return format_html_join("", "<div>{} {} {}: {} → {}</div>", rows) or "—"


class KycItemInline(admin.TabularInline):
    model = KycItem
    fk_name = "user"
    fields = ("kind", "status", "submitted_at", "reject_reasons", "preview", "decide")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    @admin.display(description="File")
    def preview(self, obj):
        return _preview(obj.file_id)

    @admin.display(description="Decision page")
    def decide(self, obj):
        return format_html('<a href="{}">open</a>', reverse("admin:kyc_kycitem_change", args=[obj.pk]))


class AuditInline(admin.TabularInline):
    model = KycAuditEntry
    fk_name = "user"
    fields = ("created_at", "actor", "kind", "action", "before", "after")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)


@admin.register(KycReview)
class KycReviewAdmin(admin.ModelAdmin):
    """Users with items awaiting review, oldest first; the change page is the user's whole KYC file."""

    list_display = ("email", "first_name", "last_name", "country", "level", "pending_items", "oldest_pending")
    list_filter = ("kyc_state__level", "platform_links__platform", "country", "created_at")
    search_fields = ("email", "first_name", "last_name")
    fields = (
        "email",
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "country",
        "city",
        "zip_code",
        "street",
        "level",
    )
    readonly_fields = fields
    inlines = [KycItemInline, AuditInline]

    def get_queryset(self, request):
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            return review_queue().select_related("kyc_state")
        return super().get_queryset(request).select_related("kyc_state")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Level")
    def level(self, obj):
        state = getattr(obj, "kyc_state", None)
        return state.level if state else 0

    @admin.display(description="Awaiting review")
    def pending_items(self, obj):
        return getattr(obj, "pending_items", None)

    @admin.display(description="Oldest submission", ordering="oldest_pending")
    def oldest_pending(self, obj):
        return getattr(obj, "oldest_pending", None)


class CallOutcomeForm(forms.ModelForm):
    reason = forms.ChoiceField(choices=(), required=False, help_text="For a failed call.")

    class Meta:
        model = VideoCall
        fields = ["outcome", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            ("", "—"),
            *RejectReason.objects.filter(active=True).values_list("code", "code"),
        ]
        self.fields["outcome"].required = True


@admin.register(VideoCall)
class VideoCallAdmin(DeciderOnly, admin.ModelAdmin):
    """Scheduled calls as a calendar-like list (by day); opening one lets an officer mark it done."""

    list_display = ("scheduled_at", "user", "staff", "status", "outcome")
    list_filter = ("status", "staff", "scheduled_at")
    date_hierarchy = "scheduled_at"
    ordering = ("scheduled_at",)
    search_fields = ("user__email", "staff__email")
    form = CallOutcomeForm
    readonly_fields = ("user", "staff", "scheduled_at", "status")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.video_call_complete(
                call=obj,
                staff=request.user,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data.get("notes", ""),
                reason=form.cleaned_data.get("reason", ""),
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)


@admin.register(StaffAvailability)
class StaffAvailabilityAdmin(admin.ModelAdmin):
    list_display = ("staff", "starts_at", "ends_at")
    list_filter = ("staff",)
    date_hierarchy = "starts_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            from accounts.models import User

            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(KycLevel)
class KycLevelAdmin(admin.ModelAdmin):
    list_display = ("platform", "number", "name", "max_buy", "max_sell")
    list_filter = ("platform",)


@admin.register(RejectReason)
class RejectReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "message", "active")
    list_filter = ("active",)

    def has_delete_permission(self, request, obj=None):
        return False  # codes are referenced by past decisions; deactivate instead


@admin.register(KycAuditEntry)
class KycAuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everybody, superusers included."""

    list_display = ("created_at", "user", "kind", "action", "actor")
    list_filter = ("action", "kind", "created_at")
    search_fields = ("user__email", "actor__email")
    list_select_related = ("user", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
