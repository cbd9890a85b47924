"""The HTTP side of webhook delivery: one POST over HTTP/1.1, with the SSRF guard where
connections open.

A minimal client on asyncio streams rather than httpx: a delivery needs one request
shape, and httpx spent about 0.8 ms of CPU per request where this spends a few tens of
microseconds (measured against the local receiver of bench.webhooks), which bounded the
dispatcher below 1,000 deliveries a second. TLS uses httpx's verified context (certifi).

Every connection resolves its host and refuses it if any address is loopback, private,
link-local or otherwise not public (unless the operator allows them), then connects to
the address it checked, so a name that resolves differently a moment later (DNS
rebinding) gains nothing. Redirects are not followed (a 3xx is the answer), proxies are
not used, and an answer is read only as far as the excerpt the log keeps: a longer body
than `DRAIN_BYTES` closes the connection instead of being read. Connections are kept
alive per origin while the receiver allows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from domain.integration import forbidden_address, parse_retry_after

EXCERPT_BYTES = 1024
DRAIN_BYTES = 64 * 1024  # more than this after the excerpt: close rather than read it
_NO_BODY = frozenset({204, 304})

Origin = tuple[str, str, int]


class Refused(Exception):
    """The receiver's address is not one the dispatcher may connect to."""


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    retry_after: str | None
    excerpt: bytes
    reusable: bool


class DeliveryClient:
    """Connections to receivers, kept alive per origin; at most `connections` in use."""

    def __init__(self, *, allow_private: bool, connections: int) -> None:
        self.allow_private = allow_private
        self._slots = asyncio.Semaphore(connections)
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls: ssl.SSLContext | None = None

    async def __aenter__(self) -> DeliveryClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for pool in self._idle.values():
            for conn in pool:
                conn.close()
        self._idle.clear()

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise Refused(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not self.allow_private:
            refused = [a for a in addresses if forbidden_address(a)]
            if refused:
                raise Refused(f"refused: {host} resolves to {refused[0]}, not a public address")
        tls = None
        if scheme == "https":
            tls = self._tls = self._tls or httpx.create_ssl_context()
        reader, writer = await asyncio.open_connection(
            addresses[0], port, ssl=tls, server_hostname=host if tls else None
        )
        return _Connection(reader, writer)

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> _Response:
        parts = urlsplit(url)
        scheme = parts.scheme
        if scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"not a web URL: {url}")
        origin = (scheme, parts.hostname, parts.port or (443 if scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if any(c <= " " or c == "\x7f" for c in target + parts.netloc):
            raise Refused("the URL holds white space or control characters")
        lines = [f"POST {target} HTTP/1.1", f"host: {parts.netloc}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"content-length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        async with self._slots:
            pool = self._idle.setdefault(origin, [])
            while pool:
                with contextlib.suppress(_Closed):  # kept alive, but the receiver closed it
                    return await self._exchange(origin, pool.pop(), request)
            return await self._exchange(origin, await self._connect(origin), request)

    async def _exchange(self, origin: Origin, conn: _Connection, request: bytes) -> _Response:
        try:
            response = await _exchange(conn, request)
        except BaseException:
            conn.close()
            raise
        if response.reusable:
            self._idle.setdefault(origin, []).append(conn)
        else:
            conn.close()
        return response


class _Closed(ConnectionError):
    """The connection ended before a status line came."""


async def _exchange(conn: _Connection, request: bytes) -> _Response:
    """Send the request, read the status, the headers and at most the excerpt."""
    try:
        conn.writer.write(request)
        await conn.writer.drain()
        line = await conn.reader.readline()
    except OSError as exc:
        raise _Closed(str(exc)) from exc
    if not line:
        raise _Closed("the receiver closed the connection without answering")
    version, _, rest = line.decode("latin-1").partition(" ")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    while (field := await conn.reader.readline()) not in (b"\r\n", b"\n"):
        if not field:
            raise asyncio.IncompleteReadError(b"", None)
        name, _, value = field.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    excerpt, complete = await _body(conn.reader, status, headers)
    reusable = (
        complete and version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    )
    return _Response(status, headers.get("retry-after"), excerpt, reusable)


async def _body(
    reader: asyncio.StreamReader, status: int, headers: dict[str, str]
) -> tuple[bytes, bool]:
    """The body's first `EXCERPT_BYTES`, and whether it was read to its end (then the
    connection can carry the next request)."""
    if status in _NO_BODY or status < 200:
        return b"", True
    if "chunked" in headers.get("transfer-encoding", "").lower():
        excerpt, read = b"", 0
        while read <= EXCERPT_BYTES + DRAIN_BYTES:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return excerpt, True
            chunk = (await reader.readexactly(size + 2))[:size]
            excerpt += chunk[: max(0, EXCERPT_BYTES - len(excerpt))]
            read += size
        return excerpt, False
    length = headers.get("content-length")
    if length is None:  # the body runs to the end of the connection
        return await reader.read(EXCERPT_BYTES), False
    size = int(length)
    if size > EXCERPT_BYTES + DRAIN_BYTES:
        return await reader.read(EXCERPT_BYTES), False
    body = await reader.readexactly(size)
    return body[:EXCERPT_BYTES], True


def delivery_client(*, allow_private: bool, connections: int) -> DeliveryClient:
    return DeliveryClient(allow_private=allow_private, connections=connections)


@dataclass(frozen=True, slots=True)
class Answer:
    """What one attempt got: a status (None if none came), how long, what was said."""

    status_code: int | None
    latency_ms: int
    excerpt: str
    retry_after: float | None
    error: str | None


async def post(
    http: DeliveryClient, url: str, body: bytes, headers: dict[str, str], *, seconds: float
) -> Answer:
    """POST once, within `seconds` in all (a trickling receiver counts as timed out)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        async with asyncio.timeout(seconds):
            response = await http.post(url, body, headers)
    except TimeoutError:
        return Answer(None, took(), "", None, f"timed out after {seconds:g} s")
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError, ValueError, Refused) as exc:
        return Answer(None, took(), "", None, f"{type(exc).__name__}: {exc}"[:500])
    return Answer(
        response.status,
        took(),
        response.excerpt.decode("utf-8", "replace"),
        parse_retry_after(response.retry_after),
        None,
    )
