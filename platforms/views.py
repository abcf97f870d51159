from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .keys import ien_public_key_pem


@require_GET
@cache_control(public=True, max_age=3600)
def ien_public_key(request):
    """CCPro's public key: partners verify `jwt` instant event notifications with it (RS512)."""
    return HttpResponse(ien_public_key_pem(), content_type="application/x-pem-file")
