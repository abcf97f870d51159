"""Portal pages of notifications, mounted at the site root by ccpro.urls (namespace `notifications`)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications", views.inbox, name="inbox"),
    path("notifications/mark-as-read", views.mark_all_read, name="mark-all-read"),
    path("notifications/<uuid:notification>/read", views.mark_read, name="mark-read"),
]
