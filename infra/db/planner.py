"""Planner methods switched off for the statements of a block, for the few bulk statements
whose best plan the planner's estimates miss (a star run over a province).

`SET LOCAL`, so the setting ends with the transaction at the latest, and set back to the
server's value when the block ends, so the rest of the transaction plans as usual. On
Citus `SET LOCAL` reaches the workers (`citus.propagate_set_commands = local`, set with
the scope).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

METHODS = frozenset({"enable_hashjoin", "enable_indexscan", "enable_nestloop"})


@asynccontextmanager
async def planner_without(session: AsyncSession, *methods: str) -> AsyncIterator[None]:
    """Inside the block the planner does not use `methods` (names from `METHODS`)."""
    unknown = set(methods) - METHODS
    if unknown:
        raise ValueError(f"not a planner method switch: {sorted(unknown)}")
    for method in methods:
        await session.execute(text(f"SET LOCAL {method} = off"))
    # Not in a `finally`: after an error the transaction is aborted, takes no more
    # statements, and its rollback ends the setting anyway.
    yield
    for method in methods:
        await session.execute(text(f"SET LOCAL {method} TO DEFAULT"))
