"""Which shards the server's statements touch: capture them, then explain them again.

`statements_in_scope` records what any SQLAlchemy engine of this process sends in
transactions scoped to a tenant path (the server under test runs in-process);
`explained` plans each SELECT again as the application role in that scope; `task_count`
reads a Citus plan's `Task Count` (None for a statement Citus does not distribute).
Used by bench/citus.py and tests/integration/test_routing.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from infra.db.bootstrap import conninfo_of

_TASK_COUNT = re.compile(r"Task Count: (\d+)")


@contextmanager
def statements_in_scope(tenant_path: str) -> Iterator[list[tuple[str, Any]]]:
    """The statements run in transactions scoped to `tenant_path`, with their parameters."""
    scoped: dict[int, bool] = {}
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        key = id(conn.connection.dbapi_connection)
        if "zhibu_set_scope(" in statement:
            scoped[key] = isinstance(params, dict) and params.get("tenant_path") == tenant_path
        elif scoped.get(key):
            seen.append((statement, params))

    def ended(conn: Any) -> None:
        scoped.pop(id(conn.connection.dbapi_connection), None)

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "commit", ended)
    event.listen(Engine, "rollback", ended)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "commit", ended)
        event.remove(Engine, "rollback", ended)


def explained(app_url: str, tenant_path: str, statements: list[tuple[str, Any]]) -> list[str]:
    """Each read's plan as the application role sees it in the scope."""
    plans = []
    with psycopg.connect(conninfo_of(app_url)) as conn:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with conn.transaction():
                conn.execute("SELECT zhibu_set_scope(%s, '')", (tenant_path,))
                rows = conn.execute("EXPLAIN " + sql, params).fetchall()
            plans.append("\n".join(r[0] for r in rows))
    return plans


def task_count(plan: str) -> int | None:
    """The shards a distributed statement touches (its largest job), or None."""
    counts = [int(n) for n in _TASK_COUNT.findall(plan)]
    return max(counts) if counts else None


def is_citus(url: str) -> bool:
    with psycopg.connect(conninfo_of(url)) as conn:
        found = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone()
    return found is not None
