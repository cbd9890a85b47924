"""Third-party integration (第三方接入): API clients, their scopes and credentials."""

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

__all__ = [
    "CATALOGUE",
    "EVENT_TYPES",
    "MAX_OVERLAP",
    "MESSAGES",
    "SCOPES",
    "ApiScope",
    "ClientId",
    "ClientSecret",
    "EventType",
    "EventTypeName",
    "OAuthError",
    "check_scopes",
    "invalid_client",
    "invalid_request",
    "invalid_scope",
    "narrow",
    "overlap_end",
    "permissions_of",
    "readable_types",
    "redact",
    "reveals",
    "unsupported_grant_type",
]
