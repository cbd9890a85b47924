"""A county's requests name its tenant, so that Citus runs each statement on one shard.

The statements the server sends while answering 福田's administrator are captured as they
leave SQLAlchemy, then explained again in 福田's scope. On Citus every distributed one
must touch one shard (`Task Count: 1`); on plain PostgreSQL, where nothing is sharded,
every one that reads a sharded table must carry 福田's tenant id as a value the planner
sees (the literal the routing adds), not only the row-level security policy's setting.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from bench.shards import explained, is_citus, statements_in_scope, task_count
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.routing import REFERENCE_TABLES
from tests.conftest import Api

FUTIAN_PATH = "zb.440000.440300.440304"
_SCANNED = re.compile(r"\bon (\w+)")


def _sharded_tables(admin_url: str) -> set[str]:
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        ).fetchall()
    return {r[0] for r in rows} - set(REFERENCE_TABLES)


async def assert_routed(
    database: DatabaseUrls, tenant_path: str, tenant_id: str, statements: list[tuple[str, Any]]
) -> None:
    """On Citus each distributed read touches one shard; on PostgreSQL each read of a
    sharded table carries the tenant's id as a value."""
    plans = explained(database.app, tenant_path, statements)
    if is_citus(database.app):
        distributed = [p for p in plans if task_count(p) is not None]
        assert distributed
        for plan in distributed:
            assert task_count(plan) == 1, plan
    else:
        sharded = _sharded_tables(database.admin)
        read = [p for p in plans if sharded & set(_SCANNED.findall(p))]
        assert read
        for plan in read:
            assert tenant_id in plan, plan


async def test_a_countys_lists_and_reads_by_id_touch_one_shard(
    futian: Api, database: DatabaseUrls, tenant_ids: dict[str, str]
) -> None:
    with statements_in_scope(FUTIAN_PATH) as statements:
        r = await futian.get("/api/v1/members", params={"limit": 20})
        assert r.status_code == 200, r.text
        members = r.json()["items"]
        assert members
        r = await futian.get(f"/api/v1/members/{members[0]['id']}")
        assert r.status_code == 200, r.text
        for listing in ("/api/v1/activities", "/api/v1/jobs"):
            r = await futian.get(listing, params={"limit": 20})
            assert r.status_code == 200, r.text
    assert any(" member" in sql for sql, _ in statements)
    await assert_routed(database, FUTIAN_PATH, tenant_ids["440304"], statements)
