from django.urls import path

from . import transfer_apis as apis

# Mounted under user/<user>/ by ccpro.urls; the fixed paths come before transfer/<transfer>.
user_urlpatterns = [
    path("transfer", apis.TransferListCreateApi.as_view(), name="transfer-list"),
    path("transfer/by", apis.TransferByApi.as_view(), name="transfer-by"),
    path("transfer/from", apis.TransferFromApi.as_view(), name="transfer-from"),
    path("transfer/to", apis.TransferToApi.as_view(), name="transfer-to"),
    path("transfer/<str:transfer>", apis.TransferDetailApi.as_view(), name="transfer-detail"),
]

# Mounted under api/v1/ by ccpro.urls; authenticated with the platform's JWT.
public_urlpatterns = [
    path("platform/<str:platform>/transfer", apis.PlatformTransferListApi.as_view(), name="platform-transfers"),
]
