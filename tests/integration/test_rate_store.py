"""The rate-limit store shares counts between workers through PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from infra.db.bootstrap import conninfo_of
from infra.rate_store import PostgresStore
from infra.settings import Settings
from tests.conftest import unique


@asynccontextmanager
async def worker_store(settings: Settings) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(conninfo_of(settings.app_database_url or ""), flush_every=3600)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_two_workers_count_against_one_limit(settings: Settings) -> None:
    key = unique("rl")
    async with worker_store(settings) as first, worker_store(settings) as second:
        assert [first.hit(key, 60)[0] for _ in range(3)] == [1, 2, 3]
        assert second.hit(key, 60)[0] == 1  # not yet told
        await first.flush()
        await second.flush()
        # The second worker learns the first's three and counts on from the total.
        assert second.hit(key, 60)[0] == 5
        await second.flush()
        # A worker learns the others' counts with its next flush of the key.
        first.hit(key, 60)
        await first.flush()
        assert first.hit(key, 60)[0] == 7


async def test_the_store_keeps_values_like_any_litestar_store(settings: Settings) -> None:
    async with worker_store(settings) as store:
        key = unique("kv")
        await store.set(key, "value", expires_in=60)
        assert await store.get(key) == b"value"
        assert await store.exists(key)
        assert 0 < (await store.expires_in(key) or 0) <= 60
        await store.delete(key)
        assert await store.get(key) is None
