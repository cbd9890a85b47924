"""Housekeeping on a timer keeps going after a failed round, and stops when asked."""

from __future__ import annotations

import asyncio

from infra.platform.jobs import Periodic


async def test_a_failed_round_is_retried_next_period_and_stop_ends_it() -> None:
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("the database was restarting")

    periodic = Periodic("test sweep", 0.01, work)
    periodic.start()
    for _ in range(500):
        if len(rounds) >= 3:
            break
        await asyncio.sleep(0.01)
    await periodic.stop()
    assert len(rounds) >= 3
    after_stop = len(rounds)
    await asyncio.sleep(0.05)
    assert len(rounds) == after_stop
