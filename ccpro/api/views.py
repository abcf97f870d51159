"""Base classes of every API view. Ownership of `{user}` is settled here, before any handler runs."""

import uuid

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from ccpro import errors


def parse_uuid(value) -> uuid.UUID:
    """A path id as UUID; anything malformed is simply not found (404), never a 500."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as exc:
        raise errors.NotFound() from exc


class ApiView(APIView):
    """An endpoint for a signed-in user (401 without a valid token, 403 when the account is inactive).

    When the URL has a `{user}` segment it must be the caller (409 otherwise, 404 when malformed); the
    handler then receives the caller's User object as `user`, so it cannot act on anybody else's path.
    """

    allow_inactive = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        caller = request.user
        if not caller.is_active and not self.allow_inactive:
            raise errors.AccountInactive()
        if "user" in self.kwargs:
            if parse_uuid(self.kwargs["user"]) != caller.pk:
                raise errors.NotTheCaller()
            self.kwargs["user"] = caller

    @property
    def access_token(self):
        return self.request.auth


class PublicApiView(APIView):
    """An endpoint open to anyone; a stale Authorization header is ignored rather than refused."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
