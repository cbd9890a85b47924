"""Password hashing admits a bounded number of logins; the rest wait briefly, then are refused."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from domain.shared import DomainError, ErrorKind
from infra.hashing import PasswordHashing
from infra.security import hash_password


async def test_beyond_its_places_a_login_waits_then_is_told_to_try_later() -> None:
    hashing = PasswordHashing(workers=1, max_waiting=8, wait=0.05)
    async with AsyncExitStack() as held:
        for _ in range(2):  # two places per hashing thread
            await held.enter_async_context(hashing.admitted())
        with pytest.raises(DomainError) as refused:
            async with hashing.admitted():
                pass
    assert (refused.value.kind, refused.value.code) == (ErrorKind.UNAVAILABLE, "server_busy")
    assert refused.value.retry_after > 0


async def test_too_many_waiting_are_refused_at_once() -> None:
    hashing = PasswordHashing(workers=1, max_waiting=1, wait=60)
    release = asyncio.Event()

    async def hold() -> None:
        async with hashing.admitted():
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(3)]  # two inside, one waiting
    for _ in range(3):  # let each holder reach its place or the queue
        await asyncio.sleep(0)
    assert hashing.full
    with pytest.raises(DomainError):
        async with hashing.admitted():
            pass
    release.set()
    await asyncio.gather(*holders)
    assert not hashing.full


async def test_a_place_comes_back_after_each_login() -> None:
    hashing = PasswordHashing(workers=1, max_waiting=1, wait=0.05)
    for _ in range(5):
        assert await hashing.hash("Strong-Pass-2026")
        async with hashing.admitted():
            assert await hashing.verify(hash_password("Strong-Pass-2026"), "Strong-Pass-2026")
