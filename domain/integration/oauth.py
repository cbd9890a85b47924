"""OAuth 2.0 client credentials (RFC 6749 §4.4): its refusals, as §5.2 names them."""

from __future__ import annotations

from domain.integration.messages import MESSAGES
from domain.shared.errors import Message


class OAuthError(Exception):
    """A refusal of the token endpoint: `error` is the §5.2 code a client library reads."""

    def __init__(self, error: str, message: Message) -> None:
        super().__init__(error)
        self.error = error
        self.message = message


def invalid_request(detail: str) -> OAuthError:
    return OAuthError("invalid_request", MESSAGES.message("oauth_invalid_request", detail=detail))


def invalid_client() -> OAuthError:
    return OAuthError("invalid_client", MESSAGES.message("oauth_invalid_client"))


def unsupported_grant_type() -> OAuthError:
    return OAuthError("unsupported_grant_type", MESSAGES.message("oauth_unsupported_grant_type"))


def invalid_scope(scope: str) -> OAuthError:
    return OAuthError("invalid_scope", MESSAGES.message("oauth_invalid_scope", scope=scope))
