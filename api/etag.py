"""ETags for JSON GET responses, and 304 Not Modified for a matching If-None-Match.

Done once as ASGI middleware over the rendered body, so no handler computes its own.
Streaming downloads (non-JSON) pass through untouched.
"""

from __future__ import annotations

import hashlib

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_INSPECTED = frozenset((b"content-type", b"content-encoding"))


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def etag_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await app(scope, receive, send)
            return
        if_none_match = ""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def buffered_send(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                found = {
                    name.lower(): value
                    for name, value in message.get("headers", ())
                    if name.lower() in _INSPECTED
                }
                json_ok = message["status"] == 200 and b"json" in found.get(b"content-type", b"")
                if not json_ok or found.get(b"content-encoding"):
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                assert start is not None
                etag = etag_of(body)
                if if_none_match and _matches(if_none_match, etag):
                    headers = MutableScopeHeaders.from_message(start)
                    headers["ETag"] = etag
                    start["status"] = 304
                    del headers["content-length"]
                    await send(start)
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
                # Appended: a JSON answer carries no ETag of its own, and a header set scans
                # and re-encodes every header.
                start["headers"] = [*start.get("headers", ()), (b"etag", etag.encode("latin-1"))]
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await app(scope, receive, buffered_send)

    return middleware
