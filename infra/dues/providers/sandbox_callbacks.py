"""The sandbox platform's notifier: after a member pays, it calls the merchant's notify URL
as WeChat Pay does — at once, then after 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min
(three times), 1 h, 3 h (three times) and 6 h (twice) — until it gets a 2xx.

It runs in whichever API process the member "paid" through (the platform's orders and key
are in PostgreSQL, so any worker may receive the notification), scaled by
`ZHIBU_DUES_TIME_SCALE` so tests run the schedule in milliseconds. Like
a real provider it may also call twice after a success (`twice`), or late (`delay`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import httpx

from infra.dues.providers.sandbox import SandboxPlatform

log = logging.getLogger(__name__)

PATH = "/api/v1/payments/callbacks/sandbox"
RETRY_SECONDS = (
    15,
    15,
    30,
    180,
    600,
    1200,
    1800,
    1800,
    1800,
    3600,
    10800,
    10800,
    10800,
    21600,
    21600,
)


class SandboxCallbacks:
    def __init__(self, platform: SandboxPlatform, base_url: str, *, scale: float = 1.0) -> None:
        self.platform = platform
        self.url = base_url.rstrip("/") + PATH
        self.scale = scale
        self._tasks: set[asyncio.Task[int]] = set()
        self._client: httpx.AsyncClient | None = None

    def pay(
        self, out_trade_no: str, *, delay: float = 0.0, twice: bool = False
    ) -> asyncio.Task[int]:
        """The member pays; the platform then notifies (after `delay` seconds)."""
        task = asyncio.create_task(self._notify(out_trade_no, delay, twice))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def deliver(self, out_trade_no: str) -> int:
        """One call of the notify URL, freshly signed; its status (0: no answer)."""
        headers, body = await self.platform.notification(out_trade_no, now=datetime.now(UTC))
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10)
        try:
            response = await self._client.post(
                self.url, content=body, headers={**headers, "Content-Type": "application/json"}
            )
        except httpx.HTTPError:
            return 0
        return response.status_code

    async def _notify(self, out_trade_no: str, delay: float, twice: bool) -> int:
        """Pay, then call until a 2xx or the schedule ends; the attempts made."""
        await self.platform.pay(out_trade_no, now=datetime.now(UTC))
        await asyncio.sleep(delay)
        for attempt, wait in enumerate((0, *RETRY_SECONDS), start=1):
            await asyncio.sleep(wait * self.scale)
            if 200 <= await self.deliver(out_trade_no) < 300:
                if twice:
                    await self.deliver(out_trade_no)
                return attempt
        log.warning("sandbox: gave up notifying order %s", out_trade_no)
        return len(RETRY_SECONDS) + 1

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is not None:
            await self._client.aclose()
        await self.platform.stop()
