"""The floor the API is measured against: a bare Litestar handler that reads the same
`app_user` row by primary key with psycopg from the same PostgreSQL, and nothing else
(no token, no Casbin, no tenant scope, no middleware). Served like the API: uvicorn, two
workers. Configured through BENCH_* environment variables set by `bench.run`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, get
from psycopg_pool import AsyncConnectionPool

_QUERY = (
    "SELECT id, tenant_id, username, display_name, phone_masked FROM app_user"
    " WHERE tenant_id = %s AND id = %s"
)


def create_app() -> Litestar:
    tenant_id = uuid.UUID(os.environ["BENCH_TENANT_ID"])
    user_id = uuid.UUID(os.environ["BENCH_USER_ID"])
    pool = AsyncConnectionPool(
        os.environ["BENCH_DATABASE_URL"],
        min_size=4,
        max_size=int(os.environ.get("BENCH_POOL_SIZE", "10")),
        open=False,
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    @get("/floor/me")
    async def me() -> dict[str, Any]:
        async with pool.connection() as conn:
            cur = await conn.execute(_QUERY, (tenant_id, user_id))
            row = await cur.fetchone()
        assert row is not None
        return {
            "id": row[0],
            "tenant_id": row[1],
            "username": row[2],
            "display_name": row[3],
            "phone": row[4],
        }

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([me, health], lifespan=[lifespan], openapi_config=None, logging_config=None)
