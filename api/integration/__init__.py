"""HTTP endpoints of the integration context: API clients, the client credentials grant
and the event feed."""

from api.integration import clients, events, token

ROUTES = [token.issue_client_token, *clients.ROUTES, *events.ROUTES]
__all__ = ["ROUTES"]
