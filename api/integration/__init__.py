"""HTTP endpoints of the integration context: API clients, the client credentials grant,
the event feed and webhooks."""

from api.integration import clients, events, token, webhooks

ROUTES = [token.issue_client_token, *clients.ROUTES, *events.ROUTES, *webhooks.ROUTES]
__all__ = ["ROUTES"]
