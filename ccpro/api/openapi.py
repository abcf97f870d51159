"""drf-spectacular extensions: how our authentication classes appear in /api/schema/."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ccpro.api.authentication.BearerTokenAuthentication"
    name = "BearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The 64-character token from POST /api/v1/authenticate or authenticate-jwt/{platform}.",
        }
