"""The project's URLs plus the floor: a bare DRF view returning constant JSON, the upper bound of req/s; and the
same constant behind the API's authentication (ApiView: bearer token lookup, ownership of `{user}`), which
shows what every authenticated endpoint pays before doing anything of its own."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ccpro.api.views import ApiView
from ccpro.urls import handler400, handler404, handler500  # noqa: F401
from ccpro.urls import urlpatterns as project_urlpatterns


class FloorApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request):
        return Response({"data": {"ok": True}})


class AuthenticatedFloorApi(ApiView):
    def get(self, request, user):
        return Response({"data": {"ok": True}})


urlpatterns = [
    path("bench/floor", FloorApi.as_view()),
    path("bench/api/floor", FloorApi.as_view()),  # the same view on the API's stack (benchmarks/settings.py)
    path("bench/api/user/<user>/floor", AuthenticatedFloorApi.as_view()),
    *project_urlpatterns,
]
