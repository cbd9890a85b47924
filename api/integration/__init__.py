"""HTTP endpoints of the integration context: API clients, the client credentials grant,
webhooks."""

from api.integration import clients, token, webhooks

ROUTES = [token.issue_client_token, *clients.ROUTES, *webhooks.ROUTES]
__all__ = ["ROUTES"]
