"""The dashboard's trading panels (registered in `ccpro.portal.DASHBOARD_PANELS`): balances, rates, recent orders.

Balances are `order_selectors.balance_list`, the selector of the API's User Balances: the same amounts and the
same fiat values, shown for the assets the user holds or has held. Recent orders are `order_selectors.order_list`,
newest first, each linking to its order page.

The rate chart reads the same selectors as the API's Currency Index and Currency History (`currency_list`,
`currency_history`): the assets the user's platform lists, their current rate, and the chosen asset's history
over the chosen period. The page works without JavaScript (each period is a link); `static/trading/rate_chart.js`
draws the points with Chart.js and fetches other periods from `trading.views.rate_history` without a reload.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from . import order_selectors
from .apis import history_body, rate_string
from .selectors import HISTORY_PERIODS, currency_history, currency_list

DEFAULT_PERIOD = "day"
RECENT_ORDERS = 5
PERIOD_LABELS = {
    "day": _("Day"),
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "semester": _("6 months"),
    "year": _("Year"),
}


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change over the day in percent, for display (two decimals)."""
    if now is None or not before:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.01"))


def rates_panel(request) -> dict:
    groups = currency_list(user=request.user)
    assets = []
    for currency in [*groups.get("coins", []), *groups.get("tokens", [])]:
        rates = currency.rates or {}
        assets.append(
            {
                "symbol": currency.asset.symbol,
                "name": currency.asset.name,
                "now": rate_string(rates.get("now")),
                "change": _change(rates.get("now"), rates.get("day")),
            }
        )
    if not assets:
        return {"assets": []}
    symbols = [asset["symbol"] for asset in assets]
    symbol = str(request.GET.get("asset", "")).upper()
    symbol = symbol if symbol in symbols else symbols[0]
    period = request.GET.get("period")
    period = period if period in HISTORY_PERIODS else DEFAULT_PERIOD
    points = history_body(currency_history(user=request.user, symbol=symbol, period=period))
    return {
        "assets": assets,
        "selected": next(asset for asset in assets if asset["symbol"] == symbol),
        "period": period,
        "periods": [(key, PERIOD_LABELS[key]) for key in HISTORY_PERIODS],
        "chart": {"asset": symbol, "period": period, "points": points},
    }


def balances_panel(request) -> dict:
    """The assets the user holds or has held (`favorite` of the API's balances), with their value in the user's
    reference fiat, and the total of those values."""
    groups = order_selectors.balance_list(user=request.user)
    held = [balance for group in ("coins", "tokens") for balance in groups.get(group, []) if balance.favorite]
    return {
        "balances": held,
        "fiat": order_selectors.user_reference_fiat(user=request.user),
        "total": sum((b.fiat_available + b.fiat_pending for b in held), Decimal(0)),
    }


def _with_assets(qs):
    return qs.select_related("from_asset", "to_asset")


def recent_orders_panel(request) -> dict:
    """The user's newest orders (the orders list's first rows) and how many there are in all."""
    orders, meta = order_selectors.page_of(
        order_selectors.order_list(user=request.user), page=1, per_page=RECENT_ORDERS, relations=_with_assets
    )
    return {"orders": orders, "total": meta["total"]}
