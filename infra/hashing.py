"""Password hashing off the event loop, with a bounded number at once.

argon2id costs tens of milliseconds of CPU and memory on purpose; unbounded, a flood of
logins queues every worker thread behind it and starves other tenants. A small pool sized
to the cores hashes; logins wait briefly for it, then are told to try again later (503
with Retry-After), before any database work is done for them: a refusal must cost next
to nothing, or a flood of them still starves everyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

from domain.shared import DomainError, ErrorKind
from infra.messages import MESSAGES
from infra.security import hash_password, verify_password

T = TypeVar("T")
HASHING_NICE = 10


def hashing_busy() -> DomainError:
    return MESSAGES.error("server_busy", ErrorKind.UNAVAILABLE, retry_after=2)


def _lower_priority() -> None:
    """Hashing threads (and the lanes argon2 starts from them) yield the CPU to serving.

    On Linux a nice value belongs to one thread, so the event loop keeps its priority.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


class PasswordHashing:
    """At most `workers` hashes at once, `2 × workers` logins in progress (lookups overlap
    hashing); others wait up to `wait` seconds for a place, then are refused. Waiting costs
    the event loop nothing and slows a flood's clients down, where refusing at once would
    let them spin; only beyond `max_waiting` waiters is a login refused immediately.
    """

    def __init__(self, workers: int, max_waiting: int, wait: float) -> None:
        self._wait = wait
        self._waiting = 0
        self.resize(workers, max_waiting)

    def resize(self, workers: int, max_waiting: int) -> None:
        """Set the bounds; done at start, before any hashing."""
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="argon2", initializer=_lower_priority
        )
        self._slots = asyncio.Semaphore(workers)
        self._places = asyncio.Semaphore(2 * workers)
        self._max_waiting = max_waiting

    @property
    def full(self) -> bool:
        return self._waiting >= self._max_waiting

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a place for a whole login (its lookups too), or be refused."""
        if self.full:
            raise hashing_busy()
        self._waiting += 1
        try:
            async with asyncio.timeout(self._wait):
                await self._places.acquire()
        except TimeoutError:
            raise hashing_busy() from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._places.release()

    async def _run(self, fn: Callable[..., T], *args: str) -> T:
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def hash(self, password: str) -> str:
        async with self.admitted():
            return await self._run(hash_password, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Verify inside `admitted`: the login holds its place from lookup to answer."""
        return await self._run(verify_password, password_hash, password)


CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def hashing_bounds(worker_processes: int, configured: int | None) -> tuple[int, int]:
    """(hashes at once, logins waiting) for one worker: the host's cores shared by workers."""
    workers = configured or max(1, CORES // max(1, worker_processes))
    return workers, 256


# One per worker process, sized from settings when the app starts (`resize`).
PASSWORD_HASHING = PasswordHashing(*hashing_bounds(1, None), wait=2.0)
