from django.urls import path

from . import checkout_apis, checkout_views

# Mounted by ccpro.urls: user_urlpatterns under api/v1/user/<user>/, public_urlpatterns under api/v1/, and
# widget_urlpatterns at the site root (the checkout widget's pages).
user_urlpatterns = [
    path("checkout", checkout_apis.CheckoutListApi.as_view(), name="checkout-list"),
    path("checkout/<str:checkout>", checkout_apis.CheckoutDetailApi.as_view(), name="checkout-detail"),
]

public_urlpatterns = [
    path(
        "platform/<str:platform>/checkout", checkout_apis.PlatformCheckoutListApi.as_view(), name="platform-checkouts"
    ),
]

widget_urlpatterns = [
    path("checkout/", checkout_views.checkout_entry, name="checkout-entry"),
    path("checkout/<str:public_id>/", checkout_views.checkout_page, name="checkout-page"),
    path("checkout/<str:public_id>/details", checkout_views.checkout_details, name="checkout-details"),
    path("checkout/<str:public_id>/details/code", checkout_views.checkout_code_resend, name="checkout-code-resend"),
    path("checkout/<str:public_id>/proof", checkout_views.checkout_proof, name="checkout-proof"),
    path("checkout/<str:public_id>/kyc/phone", checkout_views.checkout_phone, name="checkout-phone"),
    path(
        "checkout/<str:public_id>/kyc/phone/verify", checkout_views.checkout_phone_verify, name="checkout-phone-verify"
    ),
    path("checkout/<str:public_id>/kyc/continue", checkout_views.checkout_kyc_continue, name="checkout-kyc-continue"),
    path("checkout/<str:public_id>/bank", checkout_views.checkout_bank, name="checkout-bank"),
    path("checkout/<str:public_id>/card", checkout_views.checkout_card, name="checkout-card"),
    path("checkout/<str:public_id>/quote", checkout_views.checkout_quote, name="checkout-quote"),
    path("checkout/<str:public_id>/pay", checkout_views.checkout_pay, name="checkout-pay"),
    path("checkout/<str:public_id>/return", checkout_views.checkout_return, name="checkout-return"),
]
