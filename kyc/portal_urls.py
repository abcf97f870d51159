"""Portal pages of KYC, mounted at the site root by ccpro.urls (namespace `kyc`): the signed link pages
(`/kyc/<page>/<token>`, kyc/links.py) and the signed-in user's wizard (`/kyc`)."""

from django.urls import path

from . import views

app_name = "kyc"

urlpatterns = [
    path("kyc", views.wizard, name="wizard"),
    path("kyc/<slug:page>/<str:token>", views.link_page, name="link"),
]
