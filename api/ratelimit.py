"""Rate limits shared by all workers: per client address on `auth/*`, per account on login,
and a general one per user (per address for anonymous callers) everywhere else; an API
client's requests count per client and, together with its tenant's other clients, per
tenant (the tighter of the two answers in the headers).

One raw ASGI middleware reads what it needs from the scope (path, peer address, the bearer
token's claims, verified once per request and reused by Ctx), with no Request object and
no thread hop: it runs on every request. It counts with the store's `hit` (a fixed window,
shared through PostgreSQL without a round trip per request; if the store is down each
worker still limits on its own counts). Litestar's RateLimitMiddleware is not used: its
get-then-set under a per-process lock loses counts across workers and would queue every
request behind a slow store. Refusals are 429 problem+json with `Retry-After`; every
limited answer carries `RateLimit-Limit/Remaining/Reset/Policy`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.context import bearer_claims
from api.errors import ProblemError
from infra.hashing import PASSWORD_HASHING, hashing_busy
from infra.protection import FieldProtector
from infra.rate_store import PostgresStore
from infra.security import AccessClaims, ClientClaims
from infra.settings import Settings
from infra.tenancy import login_identifier

STORE = "rate_limit"
AUTH_PREFIX = "/api/v1/auth/"
LOGIN_PATH = AUTH_PREFIX + "login"
WINDOW = 60
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


def _peer(scope: Scope) -> str:
    """The peer address; uvicorn rewrites it from X-Forwarded-For only for trusted proxies."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def _caller_limits(scope: Scope, settings: Settings) -> list[tuple[int, str]]:
    """(limit, key) pairs the request counts against: per user for a verified token
    (anyone can send a forged one: those count on the sender's address, so nobody can
    spend another user's budget), per client and per tenant's clients for an API client's,
    per address otherwise."""
    claims = bearer_claims(scope, scope["litestar_app"].state.tokens)
    if isinstance(claims, AccessClaims):
        return [(settings.user_rate_per_minute, "user:" + claims.user_id.hex)]
    if isinstance(claims, ClientClaims):
        return [
            (settings.client_rate_per_minute, "client:" + claims.client_id.hex),
            (settings.tenant_clients_rate_per_minute, "clients-of:" + claims.tenant_id.hex),
        ]
    return [(settings.user_rate_per_minute, "addr:" + _peer(scope))]


def rate_limit_middleware(settings: Settings, store: PostgresStore) -> Callable[[ASGIApp], ASGIApp]:
    """The busy gate, then per address on auth/*, and per caller everywhere else in the API."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            path: str = scope["path"] if scope["type"] == "http" else ""
            if path.startswith(AUTH_PREFIX):
                # Refuse a login before any work when this worker's logins are at their bound.
                if path == LOGIN_PATH and PASSWORD_HASHING.full:
                    raise hashing_busy()
                limits = [(settings.auth_rate_per_minute, "auth-addr:" + _peer(scope))]
            elif path.startswith("/api/"):
                limits = _caller_limits(scope, settings)
            else:
                await app(scope, receive, send)
                return
            counted = [(limit, *store.hit(key, WINDOW)) for limit, key in limits]
            limit, count, reset = min(counted, key=lambda c: (c[0] - c[1], -c[2]))
            headers = _headers(limit, WINDOW, count, reset)
            if count > limit:
                await asyncio.sleep(REFUSAL_DELAY)
                raise _refuse(headers)
            await app(scope, receive, _with_headers(send, headers))

        return limited

    return middleware


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    """`send` adding the headers the answer does not carry already (a login refused per
    account carries its own)."""
    extra = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            out = list(message.get("headers", ()))
            present = {name.lower() for name, _ in out}
            out.extend(pair for pair in extra if pair[0] not in present)
            message["headers"] = out
        await send(message)

    return send_with_headers


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
    counted = store.hit("account:" + digest.hex(), WINDOW)
    if counted[0] > settings.account_rate_per_minute:
        await asyncio.sleep(REFUSAL_DELAY)
        raise _refuse(_headers(settings.account_rate_per_minute, WINDOW, *counted))
