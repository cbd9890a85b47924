"""Integration adapters: API clients, their secrets, tokens and liveness; webhooks.

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
from infra.integration.event_feed import (
    Confinement,
    FeedRead,
    ShownEvent,
    feed_types,
    read_feed,
)
from infra.integration.liveness import ClientLiveness
from infra.integration.tokens import IssuedToken, client_credentials
from infra.integration.webhook_dispatch import DispatchConfig, WebhookDispatcher
from infra.integration.webhook_log import (
    DeliveryFilter,
    get_delivery,
    list_deliveries,
    redeliver,
)
from infra.integration.webhooks import (
    Webhook,
    WebhookCaller,
    create_webhook,
    get_webhook,
    list_webhooks,
    rotate_webhook_secret,
    update_webhook,
)

__all__ = [
    "ApiClient",
    "ClientLiveness",
    "Confinement",
    "DeliveryFilter",
    "DispatchConfig",
    "FeedRead",
    "IssuedToken",
    "ShownEvent",
    "Webhook",
    "WebhookCaller",
    "WebhookDispatcher",
    "client_credentials",
    "create_webhook",
    "feed_types",
    "get_client",
    "get_delivery",
    "get_webhook",
    "list_clients",
    "list_deliveries",
    "list_webhooks",
    "read_feed",
    "redeliver",
    "register_client",
    "revoke_client",
    "rotate_secret",
    "rotate_webhook_secret",
    "update_webhook",
]
