"""A county's requests name its tenant, so that Citus runs each statement on one shard.

The statements the server sends while answering 福田's administrator are captured as they
leave SQLAlchemy, then explained again in 福田's scope. On Citus every distributed one
must touch one shard (`Task Count: 1`); on plain PostgreSQL, where nothing is sharded,
every one that reads a sharded table must carry 福田's tenant id as a value the planner
sees (the literal the routing adds), not only the row-level security policy's setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.routing import REFERENCE_TABLES
from tests.conftest import Api

FUTIAN_PATH = "zb.440000.440300.440304"
_SCANNED = re.compile(r"\bon (\w+)")


@contextmanager
def statements_in_scope(tenant_path: str) -> Iterator[list[tuple[str, Any]]]:
    """The statements any engine of this process runs in transactions scoped to
    `tenant_path`, with their parameters."""
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
    """Each SELECT's plan as the application role sees it in the scope."""
    plans = []
    with psycopg.connect(conninfo_of(app_url)) as conn:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with conn.transaction():
                conn.execute("SELECT zhibu_set_scope(%s, '')", (tenant_path,))
                rows = conn.execute("EXPLAIN " + sql, params).fetchall()
            plans.append("\n".join(r[0] for r in rows))
    return plans


def _is_citus(app_url: str) -> bool:
    with psycopg.connect(conninfo_of(app_url)) as conn:
        found = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone()
    return found is not None


def _sharded_tables(admin_url: str) -> set[str]:
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        ).fetchall()
    return {r[0] for r in rows} - REFERENCE_TABLES


async def _futian_requests(futian: Api) -> None:
    r = await futian.get("/api/v1/members", params={"limit": 20})
    assert r.status_code == 200, r.text
    members = r.json()["items"]
    assert members
    r = await futian.get(f"/api/v1/members/{members[0]['id']}")
    assert r.status_code == 200, r.text
    r = await futian.get("/api/v1/activities", params={"limit": 20})
    assert r.status_code == 200, r.text


async def test_a_countys_member_list_and_reads_by_id_touch_one_shard(
    futian: Api, database: DatabaseUrls, tenant_ids: dict[str, str]
) -> None:
    with statements_in_scope(FUTIAN_PATH) as statements:
        await _futian_requests(futian)
    plans = explained(database.app, FUTIAN_PATH, statements)
    assert any(" member" in sql for sql, _ in statements)
    if _is_citus(database.app):
        distributed = [p for p in plans if "Custom Scan (Citus" in p]
        assert distributed
        for plan in distributed:
            assert "Task Count: 1\n" in plan + "\n", plan
    else:
        sharded = _sharded_tables(database.admin)
        read = [p for p in plans if sharded & set(_SCANNED.findall(p))]
        assert read
        for plan in read:
            assert tenant_ids["440304"] in plan, plan
