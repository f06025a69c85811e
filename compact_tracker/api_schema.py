"""OpenAPI description of the token authentication (imported by the root URLconf)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "compact_tracker.api.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token: `Authorization: Token <key>`. Create one on "
            "/accounts/tokens/ or with `manage.py create_api_token USERNAME`.",
        }
