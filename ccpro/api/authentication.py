from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <64 characters>`, as issued by POST authenticate."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed()
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed() from exc

        from accounts.services import access_token_authenticate

        token = access_token_authenticate(raw_token=raw)
        if token is None:
            raise AuthenticationFailed()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
