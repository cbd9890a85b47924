"""Moving many rows into a tenant table from a query, on PostgreSQL and on Citus alike.

Citus runs an `INSERT … SELECT` it cannot push down to the shards (one reading a temporary
table or a function) as a COPY, which it refuses on tables under row-level security. The
statement built here checks once which engine it runs on: PostgreSQL runs the
`INSERT … SELECT` as it is; Citus inserts row by row with VALUES, each on its tenant's
shard.
"""

from __future__ import annotations

from collections.abc import Sequence


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


def values(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[object]]
) -> tuple[str, dict[str, object]]:
    """`(…), (…)` of typed placeholders for `rows` (columns as name and SQL type), and
    their parameters: for an `INSERT … VALUES` naming one tenant, which Citus routes to its
    shard, or a `FROM (VALUES …)` beside one."""
    params: dict[str, object] = {}
    tuples = []
    for i, row in enumerate(rows):
        cells = []
        for (name, cast), value in zip(columns, row, strict=True):
            params[f"{name}_{i}"] = value
            cells.append(f"CAST(:{name}_{i} AS {cast})")
        tuples.append(f"({', '.join(cells)})")
    return ", ".join(tuples), params
