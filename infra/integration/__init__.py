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
from infra.integration.liveness import ClientLiveness
from infra.integration.tokens import IssuedToken, client_credentials

__all__ = [
    "ApiClient",
    "ClientLiveness",
    "IssuedToken",
    "client_credentials",
    "get_client",
    "list_clients",
    "register_client",
    "revoke_client",
    "rotate_secret",
]
