from django.urls import path

from . import apis, instrument_apis

# Fixed `user/...` paths come before `user/<user>` so they are never taken for a user id.
public_urlpatterns = [
    path("authenticate", apis.AuthenticateApi.as_view(), name="authenticate"),
    path("countries", apis.CountryListApi.as_view(), name="country-list"),
    path("user", apis.UserCreateApi.as_view(), name="user-create"),
    path("user/logout", apis.LogoutApi.as_view(), name="user-logout"),
    path("user/verify", apis.UserVerifyApi.as_view(), name="user-verify"),
    path("user/reverify", apis.UserReverifyApi.as_view(), name="user-reverify"),
    path("user/forgot-password", apis.ForgotPasswordApi.as_view(), name="user-forgot-password"),
    path("user/reset-password", apis.ResetPasswordApi.as_view(), name="user-reset-password"),
    path("user/<str:user>", apis.UserProfileApi.as_view(), name="user-profile"),
]

# Mounted under user/<user>/ by ccpro.urls.
user_urlpatterns = [
    path("securities", apis.SecurityEventListApi.as_view(), name="security-list"),
    path("securities/access", apis.AccessTokenListApi.as_view(), name="security-access"),
    path("securities/change-password", apis.PasswordChangeApi.as_view(), name="security-change-password"),
    path("securities/invalidate/<str:token>", apis.AccessTokenInvalidateApi.as_view(), name="security-invalidate"),
    path("account/close/initiate", apis.AccountCloseInitiateApi.as_view(), name="account-close-initiate"),
    path("account/close/abort", apis.AccountCloseAbortApi.as_view(), name="account-close-abort"),
    # Banks, cards and withdrawal wallets (issue 5).
    path("bank", instrument_apis.BankListCreateApi.as_view(), name="bank-list"),
    path("bank/<str:bank>", instrument_apis.BankDetailApi.as_view(), name="bank-detail"),
    path("card", instrument_apis.CardListCreateApi.as_view(), name="card-list"),
    path("card/<str:card>", instrument_apis.CardDetailApi.as_view(), name="card-detail"),
    path("wallet", instrument_apis.WalletListCreateApi.as_view(), name="wallet-list"),
    path("wallet/<str:wallet>", instrument_apis.WalletDetailApi.as_view(), name="wallet-detail"),
]
