"""The dashboard's rate chart panel (registered in `ccpro.portal.DASHBOARD_PANELS`).

It reads the same selectors as the API's Currency Index and Currency History (`currency_list`,
`currency_history`): the assets the user's platform lists, their current rate, and the chosen asset's history
over the chosen period. The page works without JavaScript (each period is a link); `static/trading/rate_chart.js`
draws the points with Chart.js and fetches other periods from `trading.views.rate_history` without a reload.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .apis import history_body, rate_string
from .selectors import HISTORY_PERIODS, currency_history, currency_list

DEFAULT_PERIOD = "day"
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
