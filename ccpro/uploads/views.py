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


def _staff_verified(caller) -> bool:
    """Staff read other people's files only from a session verified by their admin second factor (django-otp's
    middleware sets `is_verified`); a staff member's bearer token or password-only session is not enough."""
    is_verified = getattr(caller, "is_verified", None)
    return caller.is_staff and callable(is_verified) and is_verified()


@require_GET
def stored_file_download(request, file_id: int):
    """A private upload, for its owner and for OTP-verified staff only; anybody else gets a plain 404."""
    caller = _caller(request)
    stored = StoredFile.objects.filter(pk=file_id).first()
    if caller is None or stored is None or not (stored.owner_id == caller.pk or _staff_verified(caller)):
        raise Http404()
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="{stored.pk}.{stored.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
