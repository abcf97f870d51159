from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import urls as accounts_urls
from accounts.staff_otp import StaffOTPAdminSite
from ccpro import health
from ccpro.uploads import views as upload_views
from kyc import urls as kyc_urls
from notifications import urls as notifications_urls
from platforms import checkout_urls as platforms_checkout_urls
from platforms import urls as platforms_urls
from platforms import views as platforms_views
from trading import order_urls, transfer_urls
from trading import order_views as trading_order_views
from trading import urls as trading_urls

from . import portal

# Staff reach the admin only with a session verified by a TOTP device (django-otp's documented way of turning the
# default site into its OTPAdminSite; accounts/staff_otp.py).
admin.site.__class__ = StaffOTPAdminSite

# Every endpoint acting on a user's data lives under user/<user>/; ccpro.api.views.ApiView checks that
# segment against the caller before any handler runs.
user_urlpatterns = [
    *accounts_urls.user_urlpatterns,
    *trading_urls.user_urlpatterns,
    *notifications_urls.user_urlpatterns,
    *platforms_checkout_urls.user_urlpatterns,
    *kyc_urls.user_urlpatterns,
    *transfer_urls.user_urlpatterns,
]

# The user's endpoints are tried first: they are most of the traffic, and Django tries the patterns one after the
# other (the 18 public ones cost every user endpoint ~0.03 ms). No public path has a segment after
# user/<str:user>, so the order changes no resolution (tests/api/test_request_path.py).
api_v1 = [
    path("user/<str:user>/", include(user_urlpatterns)),
    *accounts_urls.public_urlpatterns,
    *platforms_urls.public_urlpatterns,
    *platforms_checkout_urls.public_urlpatterns,
    *transfer_urls.public_urlpatterns,
    *order_urls.public_urlpatterns,
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("health/", health.health, name="health"),
    path(".well-known/ccpro-ien-public-key.pem", platforms_views.ien_public_key, name="ien-public-key"),
    path("files/<int:file_id>", upload_views.stored_file_download, name="stored-file"),
    path("admin/", admin.site.urls),
    path("", portal.home, name="portal-home"),
    path("dashboard", portal.dashboard, name="portal-dashboard"),
    path("", include("accounts.portal_urls")),
    path("", include("notifications.portal_urls")),
    path("", include("trading.portal_urls")),
    path("confirm-quote/<str:token>", trading_order_views.quote_confirm_page, name="quote-confirm-page"),
    *platforms_checkout_urls.widget_urlpatterns,
    path("", include("kyc.portal_urls")),
]

handler400 = "ccpro.api.handlers.bad_request"
handler404 = "ccpro.api.handlers.not_found"
handler500 = "ccpro.api.handlers.server_error"
