"""Portal endpoints of the markets, mounted at the site root by ccpro.urls (namespace `trading`)."""

from django.urls import path

from . import portal_views, views

app_name = "trading"

urlpatterns = [
    path("markets/<str:asset>/history/<str:period>", views.rate_history, name="rate-history"),
    path("trade", portal_views.trade, name="trade"),
    path("trade/price/<str:kind>/<str:from_symbol>/<str:to_symbol>", portal_views.price_preview, name="price"),
    path("trade/quotes/<str:quote>", portal_views.quote_page, name="quote"),
    path("orders", portal_views.order_list, name="orders"),
    path("orders/<str:order>", portal_views.order_page, name="order"),
    path("orders/<str:order>/proof", portal_views.order_proof, name="order-proof"),
    # The orders' signed `payment.url` (no session; its path is the reference's).
    path("payment/bank-confirm", portal_views.bank_confirm, name="bank-confirm"),
    path("deposit", portal_views.deposit, name="deposit"),
    path("deposit/address", portal_views.deposit_address, name="deposit-address"),
    path("transfers", portal_views.transfer_list, name="transfers"),
    path(
        "transfers/<str:transfer>/confirm", portal_views.transfer_action, {"action": "confirm"}, name="transfer-confirm"
    ),
    path("transfers/<str:transfer>/refuse", portal_views.transfer_action, {"action": "refuse"}, name="transfer-refuse"),
]
