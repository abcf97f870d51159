from django.urls import path

from . import apis

# Mounted under user/<user>/ by ccpro.urls. mark-as-read comes before the optional id so it is never an id.
user_urlpatterns = [
    path(
        "notifications/permanently",
        apis.PermanentNotificationListApi.as_view(),
        name="notification-permanent-list",
    ),
    path(
        "notifications/temporary/mark-as-read",
        apis.NotificationMarkAllReadApi.as_view(),
        name="notification-mark-as-read",
    ),
    path("notifications/temporary", apis.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/temporary/<str:notification_id>",
        apis.NotificationListApi.as_view(),
        name="notification-detail",
    ),
]
