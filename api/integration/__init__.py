"""HTTP endpoints of the integration context: API clients and the client credentials grant."""

from api.integration import clients, token

ROUTES = [token.issue_client_token, *clients.ROUTES]
__all__ = ["ROUTES"]
