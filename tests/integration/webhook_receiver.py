"""A real webhook receiver on loopback for the delivery tests: an ASGI app under uvicorn
that records every request and answers as its script says (fail, hang, 410, 429 …)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook

from tests.conftest import serve


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived
    status: int | None = None  # what it was answered (None: never, it hung)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


HANG = "hang"
Reply = tuple[int, dict[str, str], bytes] | str
Script = Callable[[int, Call], Reply]


def always(status: int, body: bytes = b"ok") -> Script:
    return lambda _n, _call: (status, {}, body)


@dataclass
class Receiver:
    """Calls are numbered from 1 in arrival order; the script picks each reply."""

    script: Script = field(default_factory=lambda: always(204, b""))
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)  # hung requests end
    hanging: int = 0  # requests held open now, until the sender gives up
    most_hanging: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        call = Call(scope["path"], headers, body, time.monotonic())
        self.calls.append(call)
        self.arrived.set()
        reply = self.script(len(self.calls), call)
        call.status = None if isinstance(reply, str) else reply[0]
        if reply == HANG:
            await self._hang(receive)
            return
        assert not isinstance(reply, str)
        status, extra, content = reply
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in extra.items()],
            }
        )
        await send({"type": "http.response.body", "body": content})

    async def _hang(self, receive: Any) -> None:
        """Answer nothing until the sender disconnects (or the receiver stops)."""
        self.hanging += 1
        self.most_hanging = max(self.most_hanging, self.hanging)
        gone = asyncio.ensure_future(receive())  # http.disconnect, when the sender hangs up
        released = asyncio.ensure_future(self.released.wait())
        try:
            await asyncio.wait({gone, released}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.hanging -= 1
            gone.cancel()
            released.cancel()

    def delivered(self) -> list[Call]:
        """The calls answered 2xx."""
        return [c for c in self.calls if c.status is not None and 200 <= c.status < 300]

    async def wait_for(self, condition: Callable[[], bool], seconds: float = 20.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"waited {seconds} s; calls: {len(self.calls)}"
            await asyncio.sleep(0.05)


def verify(secret: str, call: Call) -> Any:
    """The body, if a signature in the call verifies with `secret` (raises otherwise)."""
    return Webhook(secret).verify(call.body, call.headers)


@asynccontextmanager
async def receiver(script: Script | None = None) -> AsyncIterator[Receiver]:
    r = Receiver() if script is None else Receiver(script)
    async with serve(r) as url:
        r.url = url
        try:
            yield r
        finally:
            r.released.set()
