"""Rate limits shared by all workers: per client address on `auth/*`, per account on login,
and a general one per user (per address for anonymous callers) everywhere else.

Litestar's RateLimitMiddleware keeps a list of timestamps with a get-then-set under a
per-process lock; across workers that loses counts, and under one lock a slow store would
queue every request. The subclass keeps its configuration, keys and headers but counts
with the store's `hit` (a fixed window, shared through PostgreSQL without a round trip
per request; if the store is down each worker still limits on its own counts).
Refusals are 429 problem+json with `Retry-After`; every limited answer carries
`RateLimit-Limit/Remaining/Reset`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemError
from infra.hashing import PASSWORD_HASHING, hashing_busy
from infra.members import FieldProtector
from infra.rate_store import PostgresStore
from infra.security import TokenError
from infra.settings import Settings
from infra.tenancy.auth import login_identifier

STORE = "rate_limit"
AUTH_PREFIX = "/api/v1/auth/"
LOGIN_PATH = AUTH_PREFIX + "login"
# Refusals are answered after a pause: a client looping on them slows down, and the
# pause costs the server nothing, where answering at once lets a flood spin.
REFUSAL_DELAY = 1.0
_ACCOUNT_INDEX = "rate.account"


def _headers(limit: int, window: int, count: int, reset: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, limit - count)),
        # Within the window, whichever way the clock and the window's end were rounded.
        "RateLimit-Reset": str(min(window, max(0, reset - int(time.time())))),
        "RateLimit-Policy": f"{limit};w={window}",
    }


def _refuse(headers: dict[str, str]) -> ProblemError:
    return ProblemError(
        429, "rate_limited", headers={**headers, "Retry-After": headers["RateLimit-Reset"]}
    )


class SharedRateLimitMiddleware(RateLimitMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app: Litestar = scope["litestar_app"]
        request: Request[Any, Any, Any] = app.request_class(scope)
        if not await self.should_check_request(request=request):
            await self.app(scope, receive, send)
            return
        store = self.config.get_store_from_app(app)
        assert isinstance(store, PostgresStore)
        window = DURATION_VALUES[self.unit]
        counted = store.hit(self.cache_key_from_request(request), window)
        headers = _headers(self.max_requests, window, *counted)
        if counted[0] > self.max_requests:
            await asyncio.sleep(REFUSAL_DELAY)
            raise _refuse(headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    out.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def client_address(request: Request[Any, Any, Any]) -> str:
    """The peer address; uvicorn rewrites it from X-Forwarded-For only for trusted proxies."""
    return request.client.host if request.client else "unknown"


def _auth_identifier(request: Request[Any, Any, Any]) -> str:
    return "auth-addr:" + client_address(request)


def _caller_identifier(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        try:
            return "user:" + request.app.state.tokens.verify(token.strip()).user_id.hex
        except TokenError:
            pass
    return "addr:" + client_address(request)


def _is_auth(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(AUTH_PREFIX)


def _is_api_not_auth(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") and not _is_auth(request)


def busy_login_gate(app: ASGIApp) -> ASGIApp:
    """Refuse a login before any work when this worker's logins are at their bound."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == LOGIN_PATH and PASSWORD_HASHING.full:
            raise hashing_busy()
        await app(scope, receive, send)

    return middleware


def rate_limit_middleware(settings: Settings) -> list[Any]:
    """The busy gate, then per address on auth/*, and per caller everywhere else in the API."""
    return [
        busy_login_gate,
        RateLimitConfig(
            rate_limit=("minute", settings.auth_rate_per_minute),
            identifier_for_request=_auth_identifier,
            check_throttle_handler=_is_auth,
            middleware_class=SharedRateLimitMiddleware,
            store=STORE,
        ).middleware,
        RateLimitConfig(
            rate_limit=("minute", settings.user_rate_per_minute),
            identifier_for_request=_caller_identifier,
            check_throttle_handler=_is_api_not_auth,
            middleware_class=SharedRateLimitMiddleware,
            store=STORE,
        ).middleware,
    ]


async def limit_account(
    request: Request[Any, Any, Any], identifier: str, protector: FieldProtector
) -> None:
    """Count a login attempt against the account typed, known or not, from any address.

    Set far above what the per-address limit lets one client send, so a single attacker
    cannot use it to keep the owner out.
    """
    settings: Settings = request.app.state.settings
    store = request.app.stores.get(STORE)
    assert isinstance(store, PostgresStore)
    digest = protector.index.digest(_ACCOUNT_INDEX, login_identifier(identifier, protector))
    counted = store.hit("account:" + digest.hex(), 60)
    if counted[0] > settings.account_rate_per_minute:
        await asyncio.sleep(REFUSAL_DELAY)
        raise _refuse(_headers(settings.account_rate_per_minute, 60, *counted))
