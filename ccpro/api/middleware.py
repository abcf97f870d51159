"""The portal's and the admin's middleware, skipped for API requests.

Sessions, `request.user` from the session, the OTP check of that user and flash messages serve the pages; an
API request is authenticated by its bearer token (DRF sets `request.user`) and reads none of them. Running them
cost every API request ~0.1 ms of CPU (a third of the floor's; docs/performance.md, Session 3). Each class here
is the middleware of the same name, doing nothing for a path under `settings.API_PATH_PREFIXES` (`/api/v1/`):
the API's responses are the same bytes (none of these middlewares writes a header on a response whose request
did not touch the session or the messages), the pages keep the whole stack. Security, WhiteNoise, Common, CSRF
(the API's views are exempt; `check --deploy` wants it by name) and X-Frame-Options run for every request.
"""

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware as _MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as _SessionMiddleware
from django_otp.middleware import OTPMiddleware as _OTPMiddleware


def _pages_only(middleware_class):
    class PagesOnly(middleware_class):
        def __init__(self, get_response):
            super().__init__(get_response)
            self.api_prefixes = tuple(settings.API_PATH_PREFIXES)

        def __call__(self, request):
            if request.path_info.startswith(self.api_prefixes):
                return self.get_response(request)
            return super().__call__(request)

        if hasattr(middleware_class, "process_view"):

            def process_view(self, request, callback, callback_args, callback_kwargs):
                if request.path_info.startswith(self.api_prefixes):
                    return None
                return super().process_view(request, callback, callback_args, callback_kwargs)

    PagesOnly.__name__ = PagesOnly.__qualname__ = middleware_class.__name__
    PagesOnly.__doc__ = f"{middleware_class.__module__}.{middleware_class.__name__}, not for API paths."
    return PagesOnly


SessionMiddleware = _pages_only(_SessionMiddleware)
AuthenticationMiddleware = _pages_only(_AuthenticationMiddleware)
OTPMiddleware = _pages_only(_OTPMiddleware)
MessageMiddleware = _pages_only(_MessageMiddleware)
