"""Integration adapters: API clients, their secrets, tokens and liveness.

The public face of the context's infrastructure: other modules import from here.
"""

from infra.integration.clients import (
    ApiClient,
    get_client,
    list_clients,
    register_client,
    revoke_client,
    rotate_secret,
)
from infra.integration.event_feed import FeedRead, ShownEvent, feed_types, read_feed
from infra.integration.liveness import ClientLiveness
from infra.integration.tokens import IssuedToken, client_credentials

__all__ = [
    "ApiClient",
    "ClientLiveness",
    "FeedRead",
    "IssuedToken",
    "ShownEvent",
    "client_credentials",
    "feed_types",
    "get_client",
    "list_clients",
    "read_feed",
    "register_client",
    "revoke_client",
    "rotate_secret",
]
