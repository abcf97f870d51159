"""Back office for orders: work queues whose actions go through trading.orders' transition service only.

Nothing here saves an order, a status or a balance directly: every field is read-only, the change form has no
save button, and each action calls one named service (payment received, approve, reject, send withdrawal).
"""

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ccpro.errors import DomainError

from . import orders
from .models import Asset, Operation
from .order_models import (
    DepositAddress,
    DepositToConfirm,
    Order,
    OrderStatusChange,
    PaymentReviewOrder,
    Quote,
    WithdrawalToSend,
)

S = Order.Status


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ("created_at", "from_status", "to_status", "actor", "actor_user", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class TxIdForm(OptionalReasonForm):
    tx_id = forms.CharField(label="Chain transaction id (txId)", max_length=191)


def _proof_preview(order) -> str:
    if not order.proof_id:
        return "—"
    url = reverse("stored-file", args=[order.proof_id])
    if order.proof.content_type == "application/pdf":
        return format_html('<a href="{}" target="_blank" rel="noopener">PDF proof of payment</a>', url)
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="proof" style="max-height:320px"></a>', url, url
    )


class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "user",
        "operation",
        "status",
        "from_amount",
        "from_asset",
        "to_amount",
        "to_asset",
        "payment_method",
        "tx_id",
        "kyc_level_required",
        "created_at",
    )
    list_filter = ("status", "operation", "type", "payment_method", "created_at")
    search_fields = ("=public_id", "=id", "user__email", "tx_id")
    list_select_related = ("user", "from_asset", "to_asset")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = [OrderStatusChangeInline]
    actions = ["mark_payment_received", "approve_selected", "send_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Order._meta.fields] + ["proof_preview"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):  # pragma: no cover - the form has no editable field
        raise PermissionError("orders change only through the transition service")

    @admin.display(description="Proof of payment")
    def proof_preview(self, obj):
        return _proof_preview(obj)

    # --- actions: each one a named service of trading.orders -------------------------------------

    def _decide(self, request, queryset, decide) -> None:
        done = 0
        for order in queryset.order_by("created_at"):
            try:
                decide(order)
                done += 1
            except DomainError as error:
                detail = error.message
                if error.errors:
                    detail += " " + " ".join(m for ms in error.errors.values() for m in ms)
                self.message_user(request, f"{order.public_id}: {detail}", messages.WARNING)
        self.message_user(request, f"{done} order(s) updated.", messages.SUCCESS)

    def _with_form(self, request, queryset, *, action, form_class, title, explanation, decide):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._decide(request, queryset, lambda order: decide(order, form.cleaned_data))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "action": action,
            "opts": self.model._meta,
            "queryset": queryset.select_related("user", "to_asset"),
            "form": form,
        }
        return TemplateResponse(request, "admin/trading/order_decide.html", context)

    @admin.action(description="Payment received (PAYMENT_WAITING → PROCESSING_PAYMENT)", permissions=["change"])
    def mark_payment_received(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="mark_payment_received",
            form_class=OptionalReasonForm,
            title="Payment received",
            explanation="The user's payment arrived; the orders move to PROCESSING_PAYMENT for approval.",
            decide=lambda order, data: orders.order_payment_received(
                order_id=order.pk, staff=request.user, reason=data["reason"]
            ),
        )

    @admin.action(description="Approve (credit / execute)", permissions=["change"])
    def approve_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="approve_selected",
            form_class=OptionalReasonForm,
            title="Approve",
            explanation="Executes the orders and posts their ledger movements; the users are notified. "
            "Withdrawals need their chain txId: use 'Send withdrawal'.",
            decide=lambda order, data: orders.order_approve(
                order_id=order.pk, staff=request.user, reason=data["reason"]
            ),
        )

    @admin.action(description="Send withdrawal (record txId and approve)", permissions=["change"])
    def send_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="send_selected",
            form_class=TxIdForm,
            title="Send withdrawal",
            explanation="Record the chain transaction that sent the funds; the reserved amount leaves the custody.",
            decide=lambda order, data: orders.order_approve(
                order_id=order.pk, staff=request.user, reason=data["reason"], tx_id=data["tx_id"]
            ),
        )

    @admin.action(description="Reject, with a reason", permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="reject_selected",
            form_class=ReasonForm,
            title="Reject",
            explanation="Reserved funds go back to the users' available balance; they are notified with the reason.",
            decide=lambda order, data: orders.order_reject(
                order_id=order.pk, staff=request.user, reason=data["reason"]
            ),
        )


admin.site.register(Order, OrderAdmin)


@admin.register(PaymentReviewOrder)
class PaymentReviewAdmin(OrderAdmin):
    """Fiat orders: purchases waiting for or with a payment to check (proof inline), sales to pay out."""

    actions = ["mark_payment_received", "approve_selected", "reject_selected"]
    ordering = ("created_at",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                Q(operation=Operation.BUY_WITH_FIAT, status__in=[S.PAYMENT_WAITING, S.PROCESSING_PAYMENT])
                | Q(operation=Operation.SELL_TO_FIAT, status=S.PROCESSING_PAYMENT)
            )
            .select_related("proof")
        )


@admin.register(DepositToConfirm)
class DepositToConfirmAdmin(OrderAdmin):
    """Deposit claims: find the txId on the chain, then approve (credit) or reject."""

    actions = ["approve_selected", "reject_selected"]
    ordering = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(operation=Operation.DEPOSIT, status=S.PROCESSING_PAYMENT)


@admin.register(WithdrawalToSend)
class WithdrawalToSendAdmin(OrderAdmin):
    """Funded withdrawals: send on chain, record the txId (which approves), or reject (which releases)."""

    list_display = ("public_id", "user", "operation", "to_amount", "to_asset", "wallet_address", "created_at")
    actions = ["send_selected", "reject_selected"]
    ordering = ("created_at",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(operation__in=[Operation.WITHDRAW, Operation.WITHDRAW_ICO], status=S.PROCESSING_PAYMENT)
        )


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("public_id", "user", "operation", "status", "from_amount", "from_asset", "to_amount", "to_asset")
    list_filter = ("status", "operation", "created_at")
    search_fields = ("=public_id", "=id", "user__email")
    list_select_related = ("user", "from_asset", "to_asset")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Deposit address pool -------------------------------------------------------------------------


class AddressImportForm(forms.Form):
    chain = forms.ModelChoiceField(queryset=Asset.objects.filter(kind=Asset.Kind.COIN, active=True))
    destination = forms.ChoiceField(choices=DepositAddress.Destination.choices)
    type = forms.ChoiceField(choices=DepositAddress.Type.choices)
    file = forms.FileField(required=False, help_text="Text or CSV: the first column of each line is an address.")
    addresses = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 70}))

    MAX_BYTES = 5 * 1024 * 1024

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        lines: list[str] = []
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("The file may not be greater than 5 MB.")
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("The file must be UTF-8 text.") from exc
            lines += [row[0] if row else "" for row in csv.reader(io.StringIO(text))]
        lines += (data.get("addresses") or "").splitlines()
        if not any(line.strip() for line in lines):
            raise forms.ValidationError("Give a file or paste addresses.")
        data["lines"] = lines
        return data


@admin.register(DepositAddress)
class DepositAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "chain", "destination", "type", "status", "user", "asset", "assigned_at")
    list_filter = ("chain", "destination", "status", ("user", admin.EmptyFieldListFilter))
    search_fields = ("address", "user__email")
    list_select_related = ("chain", "user", "asset")
    actions = ["disable_selected", "enable_selected"]
    change_list_template = "admin/trading/depositaddress_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in DepositAddress._meta.fields]

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="trading_depositaddress_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_view_permission(request) or not request.user.has_perm("trading.change_depositaddress"):
            raise PermissionDenied
        report = None
        form = AddressImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            report = orders.deposit_addresses_import(
                chain=data["chain"], addresses=data["lines"], destination=data["destination"], type=data["type"]
            )
            self.message_user(
                request,
                f"{report['created']} imported, {report['duplicates']} duplicates, {len(report['invalid'])} refused.",
                messages.SUCCESS if not report["invalid"] else messages.WARNING,
            )
            form = AddressImportForm()
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "report": report}
        return TemplateResponse(request, "admin/trading/deposit_address_import.html", context)

    @admin.action(description="Disable selected (no longer handed out)", permissions=["change"])
    def disable_selected(self, request, queryset):
        queryset.update(status=DepositAddress.Status.DISABLED)

    @admin.action(description="Enable selected", permissions=["change"])
    def enable_selected(self, request, queryset):
        queryset.update(status=DepositAddress.Status.ENABLED)
