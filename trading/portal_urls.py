"""Portal endpoints of the markets, mounted at the site root by ccpro.urls (namespace `trading`)."""

from django.urls import path

from . import views

app_name = "trading"

urlpatterns = [
    path("markets/<str:asset>/history/<str:period>", views.rate_history, name="rate-history"),
]
