"""Moving many rows into a tenant table from a query, on PostgreSQL and on Citus alike.

Citus runs an `INSERT … SELECT` it cannot push down to the shards (one reading a temporary
table or a function) as a COPY, which it refuses on tables under row-level security. The
statement built here checks once which engine it runs on: PostgreSQL runs the
`INSERT … SELECT` as it is; Citus inserts row by row with VALUES, each on its tenant's
shard. Rows the caller holds in Python go as VALUES in the first place (`positional_values`,
`insert_values`): one statement naming one tenant, which Citus routes to its shard.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from psycopg import AsyncRawCursor

from infra.db.session import UnitOfWork


def insert_rows(target: str, columns: Sequence[str], select: str) -> str:
    """SQL inserting into `target` the rows of `select`, whose columns are `columns` in
    that order. `select` is our own SQL (no parameters, no dollar quotes)."""
    names = ", ".join(columns)
    values = ", ".join(f"r.{c}" for c in columns)
    plain = f"INSERT INTO {target} ({names}) {select}"
    each = f"FOR r IN SELECT * FROM ({select}) AS s ({names}) LOOP"  # noqa: S608
    return (
        "DO $insert_rows$ DECLARE r record; BEGIN"  # noqa: S608 - our own SQL
        " IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN"
        f" {plain}; RETURN; END IF;"
        f" {each} INSERT INTO {target} ({names}) VALUES ({values}); END LOOP;"
        " END $insert_rows$;"
    )


@lru_cache(maxsize=256)
def _placeholders(casts: tuple[str, ...], count: int, first: int) -> str:
    width = len(casts)
    return ", ".join(
        "("
        + ", ".join(
            f"${first + i * width + j}" + (f"::{cast}" if cast else "")
            for j, cast in enumerate(casts)
        )
        + ")"
        for i in range(count)
    )


def positional_values(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], *, first: int = 1
) -> tuple[str, list[Any]]:
    """`(…), (…)` of typed placeholders for `rows` (columns as name and SQL type) in
    PostgreSQL's own numbering from `$first` (a statement's other parameters before them),
    and the rows' values in that order, for `execute`: for an `INSERT … VALUES` naming one
    tenant, which Citus routes to its shard, or a `FROM (VALUES …)` beside one."""
    casts = tuple(cast for _, cast in columns)
    return _placeholders(casts, len(rows), first), [value for r in rows for value in r]


async def execute(uow: UnitOfWork, sql: str, params: Sequence[Any]) -> list[Any]:
    """`sql` with PostgreSQL's own `$n` placeholders on the unit of work's connection, in
    its transaction, through a raw cursor: neither SQLAlchemy's `text()` nor psycopg parses
    it. For a statement of thousands of parameters, either parse cost more CPU than the
    database took to run it (psycopg caches no statement that long), on an API worker that
    also serves requests."""
    await uow.session.flush()  # what the session holds goes first, as it would in order
    connection = await uow.session.connection()
    raw = await connection.get_raw_connection()
    async with AsyncRawCursor(raw.driver_connection) as cursor:
        await cursor.execute(sql, list(params))
        return list(await cursor.fetchall()) if cursor.description else []


async def insert_values(
    uow: UnitOfWork,
    target: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    chunk: int = 500,
) -> None:
    """INSERT … VALUES of many rows, `chunk` to a statement, through `execute` (a round of
    points accrual writes thousands of values). Types come from the target's columns."""
    untyped = ("",) * len(columns)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        await execute(
            uow,
            f"INSERT INTO {target} ({', '.join(columns)}) VALUES "  # noqa: S608 - our own names
            + _placeholders(untyped, len(part), 1),
            [value for values_of_row in part for value in values_of_row],
        )
