from django.urls import path

from . import order_apis, order_platform_apis

# Mounted under user/<user>/ through trading.urls.
user_urlpatterns = [
    path("balances", order_apis.BalanceApi.as_view(), name="balance-list"),
    path("balances/<str:asset>", order_apis.BalanceApi.as_view(), name="balance-show"),
    path("quote", order_apis.QuoteListCreateApi.as_view(), name="quote-list"),
    path("quote/<str:quote>", order_apis.QuoteDetailApi.as_view(), name="quote-detail"),
    path("order", order_apis.OrderListApi.as_view(), name="order-list"),
    path("order/coin", order_apis.OrderListApi.as_view(kind="coin"), name="order-list-coin"),
    path("order/token", order_apis.OrderListApi.as_view(kind="token"), name="order-list-token"),
    path("order/<str:order>", order_apis.OrderDetailApi.as_view(), name="order-detail"),
    path(
        "order/<str:order>/payment-confirmation",
        order_apis.OrderPaymentConfirmationApi.as_view(),
        name="order-payment-confirmation",
    ),
    path("deposit", order_apis.DepositCreateApi.as_view(), name="deposit-create"),
    path("deposit/address", order_apis.DepositAddressApi.as_view(), name="deposit-address"),
]

# Mounted under api/v1/ by ccpro.urls: read with the platform's JWT.
public_urlpatterns = [
    path("platform/<str:platform>/order", order_platform_apis.PlatformOrderListApi.as_view(), name="platform-orders"),
    path("platform/<str:platform>/quote", order_platform_apis.PlatformQuoteListApi.as_view(), name="platform-quotes"),
]
