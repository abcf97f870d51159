"""The project's URLs plus the floor: a bare DRF view returning constant JSON, the upper bound of req/s."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ccpro.urls import handler400, handler404, handler500  # noqa: F401
from ccpro.urls import urlpatterns as project_urlpatterns


class FloorApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request):
        return Response({"data": {"ok": True}})


urlpatterns = [path("bench/floor", FloorApi.as_view()), *project_urlpatterns]
