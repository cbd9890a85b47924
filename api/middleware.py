"""Request ids: taken from a well-formed `X-Request-ID` header or made up, echoed back."""

from __future__ import annotations

import re
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # type: ignore[typeddict-item]
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Appended: no answer sets its own, and a header set scans every header.
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def allow_middleware(app: ASGIApp) -> ASGIApp:
    """`Allow` on OPTIONS lists every method of the path.

    Litestar 2 builds a path's OPTIONS handler when the first handler of the path is
    registered and keeps it as more methods are added, so `Allow` named only the first
    (litestar-org/litestar#4169, fixed in v3 only). The methods are read from the routes.
    """
    allowed: dict[str, str] = {}

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler") if scope["type"] == "http" else None
        if handler is None or scope["method"] != "OPTIONS":
            await app(scope, receive, send)
            return
        path = next(iter(handler.paths))
        if path not in allowed:
            methods = scope["litestar_app"].route_handler_method_map.get(path, {})
            allowed[path] = ", ".join(sorted(m for m in methods if m.isupper()))

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed[path]:
                MutableScopeHeaders.from_message(message)["Allow"] = allowed[path]
            await send(message)

        await app(scope, receive, send_allow)

    return middleware
