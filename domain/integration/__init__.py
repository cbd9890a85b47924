"""Third-party integration (第三方接入): API clients, their scopes and credentials, webhooks."""

from domain.integration.clients import (
    MAX_OVERLAP,
    ClientId,
    ClientSecret,
    overlap_end,
)
from domain.integration.events import (
    CATALOGUE,
    EVENT_TYPES,
    EventType,
    EventTypeName,
    readable_types,
    redact,
    reveals,
)
from domain.integration.messages import MESSAGES
from domain.integration.oauth import (
    OAuthError,
    invalid_client,
    invalid_request,
    invalid_scope,
    unsupported_grant_type,
)
from domain.integration.scopes import SCOPES, ApiScope, check_scopes, narrow, permissions_of
from domain.integration.webhook_events import check_event_types, webhook_data
from domain.integration.webhooks import (
    MAX_ATTEMPTS,
    DisablePolicy,
    Outcome,
    check_url,
    forbidden_address,
    new_secret,
    next_delay,
    outcome_of,
    parse_retry_after,
)

__all__ = [
    "CATALOGUE",
    "EVENT_TYPES",
    "MAX_ATTEMPTS",
    "MAX_OVERLAP",
    "MESSAGES",
    "SCOPES",
    "ApiScope",
    "ClientId",
    "ClientSecret",
    "DisablePolicy",
    "EventType",
    "EventTypeName",
    "OAuthError",
    "Outcome",
    "check_event_types",
    "check_scopes",
    "check_url",
    "forbidden_address",
    "invalid_client",
    "invalid_request",
    "invalid_scope",
    "narrow",
    "new_secret",
    "next_delay",
    "outcome_of",
    "overlap_end",
    "parse_retry_after",
    "permissions_of",
    "readable_types",
    "redact",
    "reveals",
    "unsupported_grant_type",
    "webhook_data",
]
