"""Django-level 404/500 for URLs under /api/: JSON in the reference's format, HTML elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "No query results."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Server Error"}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "The request could not be processed.", "errors": {}}, status=400)
    return defaults.bad_request(request, exception)
