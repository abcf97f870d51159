"""Portal pages of accounts, mounted at the site root by ccpro.urls (namespace `accounts`).

`verify-email` and `reset-password` are the paths of the links `accounts.services` mails."""

from django.urls import path

from . import instrument_views, views

app_name = "accounts"

urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("verify-email", views.verify_email, name="verify-email"),
    path("verify-email/resend", views.verify_email_resend, name="verify-email-resend"),
    path("login", views.login_view, name="login"),
    path("logout", views.logout_view, name="logout"),
    path("forgot-password", views.forgot_password, name="forgot-password"),
    path("reset-password", views.reset_password, name="reset-password"),
    path("security", views.security, name="security"),
    path("security/password", views.password_change, name="password-change"),
    path("security/tokens/revoke", views.token_revoke, name="token-revoke"),
    path("account/close", views.account_close, name="account-close"),
    path("account/close/initiate", views.account_close_initiate, name="account-close-initiate"),
    path("account/close/abort", views.account_close_abort, name="account-close-abort"),
    path("account/options", views.options_update, name="options-update"),
    # Withdrawal wallets, bank accounts and cards (accounts/instrument_views.py).
    path("wallets", instrument_views.wallets, name="wallets"),
    path("wallets/<uuid:wallet>/rename", instrument_views.wallet_rename, name="wallet-rename"),
    path("banks", instrument_views.banks, name="banks"),
    path("banks/<uuid:bank>/delete", instrument_views.bank_delete, name="bank-delete"),
    path("cards", instrument_views.cards, name="cards"),
    path("cards/<uuid:card>/replace", instrument_views.card_replace, name="card-replace"),
    path("cards/<uuid:card>/delete", instrument_views.card_delete, name="card-delete"),
]
