from django.urls import path

from . import apis

# Mounted under api/v1/user/<user>/ (ccpro/urls.py).
user_urlpatterns = [
    path("kyc", apis.KycApi.as_view(), name="kyc"),
    path("kyc/personal-data", apis.PersonalDataApi.as_view(), name="kyc-personal-data"),
    path("kyc/address", apis.AddressApi.as_view(), name="kyc-address"),
    path("kyc/document", apis.DocumentApi.as_view(), name="kyc-document"),
    path("kyc/video", apis.VideoApi.as_view(), name="kyc-video"),
    path("kyc/edd", apis.EddApi.as_view(), name="kyc-edd"),
    path("kyc/phone/add", apis.PhoneAddApi.as_view(), name="kyc-phone-add"),
    path("kyc/phone/verify", apis.PhoneVerifyApi.as_view(), name="kyc-phone-verify"),
    path("kyc/phone/reverify", apis.PhoneReverifyApi.as_view(), name="kyc-phone-reverify"),
]
