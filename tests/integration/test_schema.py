"""The shape Citus needs to distribute tenant tables by `tenant_id`.

Co-located distribution needs `tenant_id` in every tenant table's primary key and in
every foreign key between tenant tables, so that a row and everything it refers to live
on the same shard. The test reads the catalogue, so new tables are held to it too.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from infra.db.bootstrap import DatabaseUrls, conninfo_of

# Platform-wide directories, looked up before any tenant is known (login by username or
# phone; the 身份证号 blind index that must be unique across provinces). They are keyed by
# the global identifier, not by tenant, and become Citus reference tables or are
# distributed by that identifier. `tenant` itself is the tree that scopes everything else.
EXCEPTIONS = {
    "login_identity": "platform-wide login directory keyed by identifier",
    "member_identity": "platform-wide 身份证号 directory keyed by blind index",
}


@pytest.fixture(scope="module")
def conn(database: DatabaseUrls) -> Iterator[psycopg.Connection]:
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as c:
        yield c


@pytest.fixture(scope="module")
def tenant_tables(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
        "   AND a.attname = 'tenant_id' AND NOT a.attisdropped"
    ).fetchall()
    tables = {r[0] for r in rows}
    assert {"organization", "app_user", "audit_event"} <= tables
    return tables


def _constraint_columns(
    conn: psycopg.Connection, kind: str
) -> list[tuple[str, str, str, list[str]]]:
    """(table, constraint, referenced table, columns) for each constraint of a kind."""
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, c.conname, coalesce(c.confrelid::regclass::text, ''),"
        "       array_agg(a.attname ORDER BY a.attname)"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.contype = %s AND c.connamespace = 'public'::regnamespace"
        " GROUP BY 1, 2, 3",
        (kind,),
    ).fetchall()
    return [(r[0], r[1], r[2], list(r[3])) for r in rows]


def test_exceptions_are_still_tables(tenant_tables: set[str]) -> None:
    assert set(EXCEPTIONS) <= tenant_tables, "drop stale entries from EXCEPTIONS"


def test_every_tenant_table_has_tenant_id_in_its_primary_key(
    conn: psycopg.Connection, tenant_tables: set[str]
) -> None:
    keys = {table: cols for table, _, _, cols in _constraint_columns(conn, "p")}
    checked = tenant_tables - set(EXCEPTIONS)
    without_pk = sorted(t for t in checked if t not in keys)
    assert not without_pk, f"tenant tables without a primary key: {without_pk}"
    wrong = sorted(f"{t} {keys[t]}" for t in checked if "tenant_id" not in keys[t])
    assert not wrong, f"primary keys without tenant_id: {wrong}"


def test_foreign_keys_between_tenant_tables_include_tenant_id(
    conn: psycopg.Connection, tenant_tables: set[str]
) -> None:
    foreign = _constraint_columns(conn, "f")
    between = [
        (table, name, target, cols)
        for table, name, target, cols in foreign
        if table in tenant_tables - set(EXCEPTIONS) and target in tenant_tables
    ]
    assert between, "expected foreign keys between tenant tables"
    wrong = sorted(
        f"{t}.{n} -> {target} {cols}" for t, n, target, cols in between if "tenant_id" not in cols
    )
    assert not wrong, f"foreign keys between tenant tables without tenant_id: {wrong}"
