"""A Litestar `Store` in PostgreSQL, so every worker and host shares the same rate limits.

Values live in the UNLOGGED table `rate_limit` (counters lost in a crash only reset the
limits). Besides the Store interface, `hit` counts a request in a fixed window without a
round trip: each worker counts locally and adds its counts to the shared ones in one
statement every `flush_every` seconds (atomic across workers, which a get-then-set is
not), learning the others' counts back. A limit is thus exact within a worker and shared
across workers within a fraction of a second, and a request never waits on the store:
a flood must not queue everyone else behind the limiter. The store has its own pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.stores.base import Store
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger("zhibu.rate_limit")

_ADD = """
INSERT INTO rate_limit AS r (key, value, expires_at)
SELECT k, convert_to(n::text, 'UTF8'), now() + make_interval(secs => w)
FROM unnest(%(keys)s::text[], %(counts)s::bigint[], %(windows)s::int[]) AS b (k, n, w)
ORDER BY k
ON CONFLICT (key) DO UPDATE SET
    value = CASE WHEN r.expires_at <= now() THEN EXCLUDED.value
        ELSE convert_to((convert_from(r.value, 'UTF8')::bigint
            + convert_from(EXCLUDED.value, 'UTF8')::bigint)::text, 'UTF8') END,
    expires_at = CASE WHEN r.expires_at <= now() THEN EXCLUDED.expires_at ELSE r.expires_at END
RETURNING key, convert_from(value, 'UTF8')::bigint, ceil(extract(epoch FROM expires_at))::bigint
"""


def _seconds(expires_in: int | timedelta | None) -> float | None:
    if expires_in is None:
        return None
    return expires_in.total_seconds() if isinstance(expires_in, timedelta) else float(expires_in)


class PostgresStore(Store):
    """Thread- and process-safe key/value store on the app database."""

    def __init__(
        self, conninfo: str, *, pool_size: int = 2, timeout: float = 1.0, flush_every: float = 0.2
    ) -> None:
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            timeout=timeout,
            kwargs={"autocommit": True},
            open=False,
        )
        self._flush_every = flush_every
        self._flusher: asyncio.Task[None] | None = None
        # key -> (window, counts not yet sent); counts being sent; the shared (count, reset)
        self._pending: dict[str, tuple[int, int]] = {}
        self._sending: dict[str, tuple[int, int]] = {}
        self._shared: dict[str, tuple[int, int]] = {}

    async def open(self) -> None:
        await self._pool.open()
        self._flusher = asyncio.create_task(self._flush_forever())

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._pool.close()

    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one request for `key`: (requests in its window so far, window end, epoch s)."""
        now = int(time.time())
        shared = self._shared.get(key)
        if shared is not None and shared[1] <= now:
            del self._shared[key]
            shared = None
        pending = self._pending.get(key, (window, 0))[1] + 1
        self._pending[key] = (window, pending)
        sending = self._sending.get(key, (window, 0))[1]
        count, reset = shared if shared is not None else (0, now + window)
        return count + sending + pending, reset

    async def flush(self) -> None:
        """Add this worker's counts to the shared ones and learn the totals back."""
        self._sending, self._pending = self._pending, {}
        if not self._sending:
            return
        keys = list(self._sending)
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(
                    _ADD,
                    {
                        "keys": keys,
                        "counts": [self._sending[k][1] for k in keys],
                        "windows": [self._sending[k][0] for k in keys],
                    },
                )
                for key, count, reset in await cur.fetchall():
                    self._shared[key] = (int(count), int(reset))
        finally:
            self._sending = {}
        now = time.time()
        for key in [k for k, (_, reset) in self._shared.items() if reset <= now]:
            del self._shared[key]

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every)
            try:
                await self.flush()
            except Exception:
                log.warning(
                    "rate-limit store unavailable; counts of this worker only", exc_info=True
                )

    async def _fetch(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        async with self._pool.connection() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchone() if cur.description else None

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        await self._fetch(
            "INSERT INTO rate_limit (key, value, expires_at)"
            " VALUES (%(k)s, %(v)s, now() + make_interval(secs => %(s)s))"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value,"
            " expires_at = EXCLUDED.expires_at",
            {"k": key, "v": data, "s": _seconds(expires_in)},
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await self._fetch(
            "UPDATE rate_limit SET expires_at = CASE"
            " WHEN %(r)s::float8 IS NULL OR expires_at IS NULL THEN expires_at"
            " ELSE now() + make_interval(secs => %(r)s) END"
            " WHERE key = %(k)s AND (expires_at IS NULL OR expires_at > now()) RETURNING value",
            {"k": key, "r": _seconds(renew_for)},
        )
        return bytes(row[0]) if row else None

    async def delete(self, key: str) -> None:
        await self._fetch("DELETE FROM rate_limit WHERE key = %(k)s", {"k": key})

    async def delete_all(self) -> None:
        await self._fetch("DELETE FROM rate_limit", {})

    async def delete_expired(self) -> None:
        await self._fetch("DELETE FROM rate_limit WHERE expires_at <= now()", {})

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await self._fetch(
            "SELECT expires_at FROM rate_limit WHERE key = %(k)s AND expires_at > now()",
            {"k": key},
        )
        if row is None or row[0] is None:
            return None
        return int((row[0] - datetime.now(UTC)).total_seconds())
