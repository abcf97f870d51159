"""Portal endpoints of the markets. The dashboard's rate chart (`trading.panels`) asks this one for another
asset or period without reloading the page; it answers what the API's Currency History answers (the same
selector and the same point shape), for a signed-in session."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from ccpro import errors
from ccpro.portal import login_required

from .apis import history_body
from .selectors import currency_history


@require_GET
@login_required
def rate_history(request, asset: str, period: str):
    try:
        points = currency_history(user=request.user, symbol=asset, period=period)
    except errors.DomainError:  # an asset the platform does not list, or an unknown period
        return JsonResponse({"message": "No query results."}, status=404)
    return JsonResponse({"asset": asset.upper(), "period": period, "points": history_body(points)})
