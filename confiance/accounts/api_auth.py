"""How API requests authenticate: a bearer token, or the agent's session (CSRF-checked)."""

from ninja.security import HttpBearer, SessionAuth

from confiance.accounts.access import Actor
from confiance.accounts.services import api_token_authenticate
from confiance.core.ratelimits import client_ip


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer cft_…`: expired, revoked or unknown tokens get a 401 that says which (and are counted
    for the RSSI, with the client's address)."""

    openapi_description = "Jeton d'API (en-tête Authorization: Bearer)."

    def authenticate(self, request, token: str) -> Actor:
        return api_token_authenticate(token, ip=client_ip(request))


class AgentSessionAuth(SessionAuth):
    """The session of an agent signed in on the pages (second factor enforced by middleware)."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return Actor(agent=user)
        return None
