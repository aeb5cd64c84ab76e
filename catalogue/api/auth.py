"""API authentication: organisation tokens for systems, the admin session for staff."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from catalogue.tokens import api_token_check


class OrganisationClient:
    """The caller behind a token: acts for one organisation, never as a person."""

    is_authenticated = True
    is_superuser = False

    def __init__(self, token):
        self.token = token
        self.organisation = token.organisation

    def __str__(self) -> str:
        # Named in the history of what it writes (it has no user account to link).
        return f"API token {self.token}"


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <secret>``."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        parts = header.split()
        if not parts or parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token as 'Token <secret>'.")
        token = api_token_check(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.")
        return OrganisationClient(token), token

    def authenticate_header(self, request):
        return self.keyword


class CanWriteOpportunities(permissions.BasePermission):
    """Reads are open; writes need an organisation token or a superuser's session."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (isinstance(user, OrganisationClient) or user.is_superuser)
        )


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token in the OpenAPI schema."""

    target_class = OrganisationTokenAuthentication
    name = "organisationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>`, issued to an organisation by an administrator.",
        }
