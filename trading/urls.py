from django.urls import path

from . import apis, order_urls

# Mounted under user/<user>/ by ccpro.urls.
user_urlpatterns = [
    path("currencies", apis.CurrencyListApi.as_view(), name="currency-list"),
    path("currencies/<str:asset>", apis.CurrencyListApi.as_view(), name="currency-show"),
    path("currencies/<str:asset>/history/<str:period>", apis.CurrencyHistoryApi.as_view(), name="currency-history"),
    *[
        path(
            f"price/{kind}/<str:from_symbol>/<str:to_symbol>",
            apis.PriceApi.as_view(kind=kind),
            name=f"price-{kind}",
        )
        for kind in ("buy", "sell", "withdraw", "withdraw-ico")
    ],
    *order_urls.user_urlpatterns,
]
