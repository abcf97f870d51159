from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from ccpro.api.authentication import BearerTokenAuthentication

from .models import StoredFile


def _caller(request):
    """Staff and portal users come with a session; API clients with their bearer token."""
    if request.user.is_authenticated:
        return request.user
    try:
        result = BearerTokenAuthentication().authenticate(request)
    except Exception:  # noqa: BLE001 - a bad token is simply no caller
        return None
    return result[0] if result else None


@require_GET
def stored_file_download(request, file_id: int):
    """A private upload, for its owner and for staff only; anybody else gets a plain 404."""
    caller = _caller(request)
    stored = StoredFile.objects.filter(pk=file_id).first()
    if caller is None or stored is None or not (caller.is_staff or stored.owner_id == caller.pk):
        raise Http404()
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="{stored.pk}.{stored.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
