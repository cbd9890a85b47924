"""CPU-heavy work off the event loop, a few at a time.

Parsing spreadsheets, writing export files and sniffing uploaded images run in worker
threads so that one large or hostile file never stalls the other requests of a worker; a
limiter per event loop keeps them from taking every thread (and the GIL) at once.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_SLOTS = 2
_slots = DEFAULT_SLOTS
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def configure(slots: int) -> None:
    """How many CPU-heavy steps may run at once in this process (ZHIBU_CPU_SLOTS)."""
    global _slots
    _slots = max(1, slots)
    _limiters.clear()


def slots() -> int:
    return _slots


def _limiter() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = asyncio.Semaphore(_slots)
    return limiter


async def offload(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn` in a worker thread once a slot is free, and return its result."""
    async with _limiter():
        return await asyncio.to_thread(fn, *args, **kwargs)
