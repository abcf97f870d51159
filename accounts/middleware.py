"""The portal speaks the signed-in user's language (`options.language`).

Visitors get the best match of their browser's languages (Accept-Language) among `settings.LANGUAGES`. The API
(`/api/`) and the back office (`/admin/`) are left in the default language: the API's messages are part of its
contract, whatever the caller's browser prefers. The language is switched back after each response, since Django
keeps the active language per thread."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

UNTRANSLATED_PREFIXES = ("/api/", "/admin/")


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The API's paths as settings name them (benchmarks add their floors' path).
        self.untranslated = (*UNTRANSLATED_PREFIXES, *getattr(settings, "API_PATH_PREFIXES", ()))

    def __call__(self, request):
        if request.path.startswith(self.untranslated):
            return self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        offered = {code for code, _ in settings.LANGUAGES}
        if signed_in and user.language in offered:
            language = user.language
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        if not signed_in:
            patch_vary_headers(response, ("Accept-Language",))
        return response
