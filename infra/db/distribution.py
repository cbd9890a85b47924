"""Tables restored onto a Citus coordinator, distributed again as migration 0017 left them.

A dump of a Citus database holds every row of its distributed tables (Citus answers
pg_dump's COPY from the shards) but not Citus's metadata: restored, they are ordinary
tables on the coordinator. This shards them again by `tenant_id`, co-located, and makes
the platform-wide directories reference tables, in one transaction. The schema must
already be Citus-shaped (policies without sub-select, PL/pgSQL functions): a backup of a
Citus database is, one of plain PostgreSQL is not (`infra.backup` refuses that pairing).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from infra.db.bootstrap import conninfo_of
from infra.db.routing import REFERENCE_TABLES

_TENANT_TABLES = """
SELECT c.relname FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
  AND c.relpersistence = 'p' AND c.relname <> ALL (%(reference)s)
ORDER BY 1
"""

# Citus distributes a table only when no local table refers to it: the foreign keys
# between tenant tables are dropped first and added again once every table is sharded.
_TENANT_FOREIGN_KEYS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
WHERE k.contype = 'f' AND c.relname = ANY (%(tables)s) AND r.relname = ANY (%(tables)s)
ORDER BY 1, 2
"""


def is_citus(conn: psycopg.Connection[Any]) -> bool:
    found = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone()
    return found is not None


def distribute_restored(admin_db_url: str) -> None:
    """Shard the restored tenant tables of the Citus database at `admin_db_url`."""
    with psycopg.connect(conninfo_of(admin_db_url)) as conn, conn.transaction():
        conn.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
        # The audit guard and the name-gram trigger touch only their own shard.
        conn.execute("SET LOCAL citus.enable_unsafe_triggers = on")
        reference = list(REFERENCE_TABLES)
        tables = [r[0] for r in conn.execute(_TENANT_TABLES, {"reference": reference})]
        keys = conn.execute(_TENANT_FOREIGN_KEYS, {"tables": tables}).fetchall()
        for table, constraint, _ in keys:
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(constraint)
                )
            )
        # Rows are moved, not written: the name grams and the audit guard are restored
        # already, and their triggers stay off until every table has its shards.
        for table in [*reference, *tables]:
            conn.execute(
                sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(table))
            )
        conn.execute("SELECT create_distributed_function('zhibu_scope_tenant_ids()')")
        for table in reference:
            conn.execute("SELECT create_reference_table(%s)", (table,))
        for table in tables:
            colocate = "none" if table == tables[0] else tables[0]
            conn.execute(
                "SELECT create_distributed_table(%s, 'tenant_id', colocate_with => %s)",
                (table, colocate),
            )
        for table in [*tables, *reference]:
            conn.execute("SELECT truncate_local_data_after_distributing_table(%s)", (table,))
        for table, constraint, definition in keys:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(table), sql.Identifier(constraint)
                )
                + sql.SQL(definition)  # type: ignore[arg-type]
            )
        for table in [*reference, *tables]:
            conn.execute(
                sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(sql.Identifier(table))
            )
