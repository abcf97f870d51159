"""The web portal's entry: the front page, the sign-in guard every portal page uses, and the dashboard.

The dashboard is a list of panels. Each panel names a template (`templates/portal/panels/…`) and a function
that reads what it shows through the owning app's selectors; an app that has something to show on the
dashboard (balances, rates, orders, notifications) adds a `DashboardPanel` to `DASHBOARD_PANELS` in the order
it should appear, and the page lays them out. Nothing is shown that is not read from the database.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required as django_login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kyc.selectors import kyc_summary
from notifications import panels as notification_panels
from trading import panels as trading_panels

LOGIN_URL = "accounts:login"


def login_required(view):
    """Portal pages need a signed-in (session) user; anybody else is sent to the portal's sign-in page."""
    return django_login_required(view, login_url=LOGIN_URL)


@dataclass(frozen=True)
class DashboardPanel:
    name: str  # CSS/test hook: the panel renders as <section data-panel="name">
    template: str
    context: Callable  # (request) -> dict for the template
    wide: bool = False  # spans the whole width of the grid


# Steps of the KYC summary shown on the dashboard, in the order a user goes through them.
KYC_STEPS = (
    ("personal", _("Personal data")),
    ("address", _("Address")),
    ("documents", _("Identity documents")),
    ("phone", _("Phone number")),
    ("video", _("Video identification")),
    ("enhancedDueDiligence", _("Enhanced due diligence")),
)


def _profile_panel(request) -> dict:
    return {"profile": request.user}


def _kyc_panel(request) -> dict:
    summary = kyc_summary(user=request.user)
    steps = []
    for key, label in KYC_STEPS:
        item = summary.get(key) or {}
        if not item.get("required"):
            continue
        status = item.get("status")
        if key == "phone":
            status = "VERIFIED" if item.get("isVerified") else "NOT COMPLETED"
        elif key == "documents":
            status = (item.get("governmentIdFront") or {}).get("status")
        steps.append({"key": key, "label": label, "status": status or "NOT COMPLETED"})
    required = dict(KYC_STEPS).get(summary.get("required"), summary.get("required"))
    return {"kyc": summary, "kyc_steps": steps, "kyc_required": required}


DASHBOARD_PANELS: list[DashboardPanel] = [
    DashboardPanel("profile", "portal/panels/profile.html", _profile_panel),
    DashboardPanel("kyc", "portal/panels/kyc_summary.html", _kyc_panel),
    DashboardPanel("balances", "trading/panels/balances.html", trading_panels.balances_panel),
    DashboardPanel("rates", "trading/panels/rates.html", trading_panels.rates_panel, wide=True),
    DashboardPanel("orders", "trading/panels/recent_orders.html", trading_panels.recent_orders_panel),
    DashboardPanel("notifications", "notifications/panels/unread.html", notification_panels.unread_panel),
]


@require_GET
def home(request):
    """The front page: signed-in users go to their dashboard; visitors see what CCPro is and how to start."""
    if request.user.is_authenticated:
        return redirect("portal-dashboard")
    return render(request, "portal/home.html")


@require_GET
@login_required
def dashboard(request):
    panels = [
        {
            "name": panel.name,
            "wide": panel.wide,
            "html": render_to_string(panel.template, panel.context(request), request=request),
        }
        for panel in DASHBOARD_PANELS
    ]
    return render(request, "portal/dashboard.html", {"panels": panels, "nav": "dashboard"})
