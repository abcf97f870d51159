from django.urls import path

from . import apis

# Mounted under api/v1/ by ccpro.urls. Platform endpoints authenticate with the platform's JWT (platforms.auth).
public_urlpatterns = [
    path("authenticate-jwt/<str:platform>", apis.AuthenticateJwtApi.as_view(), name="authenticate-jwt"),
    path("platform/<str:platform>", apis.PlatformShowApi.as_view(), name="platform-show"),
    path("platform/<str:platform>/staff", apis.PlatformStaffListApi.as_view(), name="platform-staff"),
    path("platform/<str:platform>/user", apis.PlatformUserListApi.as_view(), name="platform-users"),
    path("platform/<str:platform>/call", apis.PlatformCallListApi.as_view(), name="platform-calls"),
]
