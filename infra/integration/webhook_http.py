"""The HTTP side of webhook delivery: httpx, with the SSRF guard where connections open.

Every connection resolves its host and refuses it if any address is loopback, private,
link-local or otherwise not public (unless the operator allows them), then connects to
the address it checked, so a name that resolves differently a moment later (DNS
rebinding) gains nothing. Redirects are not followed, proxies from the environment are
not used, and an answer is read only as far as the excerpt the log keeps.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore
import httpx

from domain.integration import forbidden_address, parse_retry_after

EXCERPT_BYTES = 1024


class GuardedBackend(httpcore.AnyIOBackend):
    """Connects only to public addresses, unless `allow_private`."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not self.allow_private:
            refused = [a for a in addresses if forbidden_address(a)]
            if refused:
                raise httpcore.ConnectError(
                    f"refused: {host} resolves to {refused[0]}, not a public address"
                )
        return await super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def delivery_client(*, allow_private: bool, timeout: float, connections: int) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    default = transport._pool  # httpx takes no network backend: same TLS, our connections
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=default._ssl_context,
        max_connections=connections,
        max_keepalive_connections=connections,
        network_backend=GuardedBackend(allow_private=allow_private),
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """What one attempt got: a status (None if none came), how long, what was said."""

    status_code: int | None
    latency_ms: int
    excerpt: str
    retry_after: float | None
    error: str | None


async def post(
    http: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], *, seconds: float
) -> Answer:
    """POST once, within `seconds` in all (a trickling receiver counts as timed out)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        async with (
            asyncio.timeout(seconds),
            http.stream("POST", url, content=body, headers=headers) as response,
        ):
            excerpt = b""
            async for chunk in response.aiter_raw():
                excerpt += chunk
                if len(excerpt) >= EXCERPT_BYTES:
                    break
            return Answer(
                response.status_code,
                took(),
                excerpt[:EXCERPT_BYTES].decode("utf-8", "replace"),
                parse_retry_after(response.headers.get("retry-after")),
                None,
            )
    except TimeoutError:
        return Answer(None, took(), "", None, f"timed out after {seconds:g} s")
    except httpx.HTTPError as exc:
        return Answer(None, took(), "", None, f"{type(exc).__name__}: {exc}"[:500])
