"""On Citus, the outbox relay reads in the coordinator's transaction ids, bounded by the
coordinator's snapshot and by the two-phase commits nodes still hold prepared.

Every write of an outbox event passes the coordinator, which evaluates the columns'
defaults of an `INSERT … VALUES`: `xid` is the coordinator's transaction and `seq` its
sequence, one order across all nodes, which shard moves do not change. 0017's PL/pgSQL
form of `zhibu_outbox_after` evaluated `pg_current_snapshot()` on each shard, whose node
counts its own transaction ids, and called tenancy's `zhibu_tenant_path` inside the shard
queries, which Citus refuses. The versions in `infra/platform/sql/citus/` take the bound
from the coordinator's snapshot, lower it below any transaction whose prepared part a
node has not committed yet (Citus commits those just after the coordinator's commit),
hand it to the shards as a value and ask for the tenants' paths on the coordinator.

`xid`'s default becomes `zhibu_outbox_xact_id()`: on PostgreSQL `pg_current_xact_id()`
inlined (nothing changes); on Citus it refuses to run on a worker, where an
`INSERT … SELECT` pushed down to the shards would evaluate it and record an id the relay
would misplace. The texts below are frozen copies of the files.

Revision ID: 0023
Revises: 0028
Create Date: 2026-12-02
"""

from typing import Any

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

from infra.db.rls import IS_CITUS

revision = "0023"
down_revision = "0028"
branch_labels = None
depends_on = None

# infra/platform/sql/zhibu_outbox_xact_id.sql
XACT_ID = """
CREATE OR REPLACE FUNCTION zhibu_outbox_xact_id() RETURNS xid8
LANGUAGE sql VOLATILE AS $$ SELECT pg_current_xact_id() $$;
"""

CITUS_FUNCTIONS = [
    # infra/platform/sql/citus/zhibu_outbox_xact_id.sql
    """
CREATE OR REPLACE FUNCTION zhibu_outbox_xact_id() RETURNS xid8
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT citus_is_coordinator() THEN
        RAISE EXCEPTION 'an outbox event is written through the coordinator'
            USING HINT = 'Write it with INSERT … VALUES (infra.db.bulk.insert_rows).';
    END IF;
    RETURN pg_current_xact_id();
END
$$;
""",
    # infra/platform/sql/citus/zhibu_outbox_after.sql
    """
CREATE OR REPLACE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
               aggregate_type text, aggregate_id text, payload jsonb,
               created_at timestamptz, tenant_path text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_snapshot pg_snapshot := pg_current_snapshot();
    v_next bigint := pg_snapshot_xmax(v_snapshot)::text::bigint;
    v_bound bigint := pg_snapshot_xmin(v_snapshot)::text::bigint;
    v_pending jsonb;
    v_prepared text[];
    v_failed bigint;
BEGIN
    SELECT jsonb_object_agg(w.gid, w.xid) INTO v_pending
    FROM (SELECT t.gid, v_next - (v_next - t.xmin::text::bigint) % 4294967296 AS xid
          FROM pg_dist_transaction t) w
    WHERE w.xid > p_xid::text::bigint AND w.xid < v_bound;
    IF v_pending IS NOT NULL THEN
        SELECT string_to_array(string_agg(nullif(n.result, ''), ' '), ' '),
               count(*) FILTER (WHERE NOT n.success)
        INTO v_prepared, v_failed
        FROM run_command_on_all_nodes(
            'SELECT coalesce(string_agg(gid, '' ''), '''') FROM pg_prepared_xacts') n;
        IF v_failed > 0 THEN
            RAISE EXCEPTION 'a node did not say which transactions it holds prepared';
        END IF;
        SELECT least(v_bound, min((v_pending ->> g)::bigint)) INTO v_bound
        FROM unnest(v_prepared) g;
    END IF;
    RETURN QUERY
    WITH batch AS MATERIALIZED (
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at
        FROM outbox_event e
        WHERE (e.xid, e.seq) > (p_xid, p_seq) AND e.xid < v_bound::text::xid8
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    ), paths AS MATERIALIZED (
        SELECT t.tenant_id, zhibu_tenant_path(t.tenant_id) AS path
        FROM (SELECT DISTINCT b.tenant_id FROM batch b) t
    )
    SELECT b.tenant_id, b.id, b.xid, b.seq, b.topic, b.aggregate_type, b.aggregate_id,
           b.payload, b.created_at, p.path
    FROM batch b JOIN paths p ON p.tenant_id = b.tenant_id
    ORDER BY b.xid, b.seq;
END
$$;
""",
    # infra/platform/sql/citus/zhibu_outbox_due_retries.sql
    """
CREATE OR REPLACE FUNCTION zhibu_outbox_due_retries(p_handler text, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
               aggregate_type text, aggregate_id text, payload jsonb,
               created_at timestamptz, tenant_path text, attempts integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH heads AS (
        SELECT DISTINCT ON (r.tenant_id, r.aggregate_type, r.aggregate_id)
               r.tenant_id, r.aggregate_type, r.aggregate_id, r.next_attempt_at
        FROM outbox_retry r WHERE r.handler = p_handler
        ORDER BY r.tenant_id, r.aggregate_type, r.aggregate_id, r.xid, r.seq
    ), due AS MATERIALIZED (
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, r.attempts
        FROM heads h
        JOIN outbox_retry r ON r.handler = p_handler AND r.tenant_id = h.tenant_id
             AND r.aggregate_type = h.aggregate_type AND r.aggregate_id = h.aggregate_id
        JOIN outbox_event e ON e.tenant_id = r.tenant_id AND e.id = r.event_id
        WHERE h.next_attempt_at <= now()
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    ), paths AS MATERIALIZED (
        SELECT t.tenant_id, zhibu_tenant_path(t.tenant_id) AS path
        FROM (SELECT DISTINCT d.tenant_id FROM due d) t
    )
    SELECT d.tenant_id, d.id, d.xid, d.seq, d.topic, d.aggregate_type, d.aggregate_id,
           d.payload, d.created_at, p.path, d.attempts
    FROM due d JOIN paths p ON p.tenant_id = d.tenant_id
    ORDER BY d.xid, d.seq;
END
$$;
""",
]

XACT_ID_DEFAULT = [
    "ALTER FUNCTION zhibu_outbox_xact_id() OWNER TO zhibu_owner",
    "REVOKE ALL ON FUNCTION zhibu_outbox_xact_id() FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_outbox_xact_id() TO zhibu_app",
    "ALTER TABLE outbox_event ALTER COLUMN xid SET DEFAULT zhibu_outbox_xact_id()",
]


def _is_citus() -> bool:
    return op.get_bind().execute(text(IS_CITUS)).first() is not None


def _revision(name: str) -> Any:
    found = ScriptDirectory.from_config(context.config).get_revision(name)
    assert found is not None
    return found.module


def upgrade() -> None:
    if _is_citus():
        _revision("0021")._as_administrator([*CITUS_FUNCTIONS, *XACT_ID_DEFAULT])
        return
    for statement in (XACT_ID, *XACT_ID_DEFAULT):
        op.execute(statement)


def downgrade() -> None:
    """Back to 0021's readers on Citus (0020's words in the PL/pgSQL form of 0017)."""
    statements = [
        "ALTER TABLE outbox_event ALTER COLUMN xid SET DEFAULT pg_current_xact_id()",
        "DROP FUNCTION zhibu_outbox_xact_id()",
    ]
    if not _is_citus():
        for statement in statements:
            op.execute(statement)
        return
    previous = _revision("0021")
    readers = [s for s in _revision("0020").FUNCTIONS if "FUNCTION zhibu_outbox_" in s]
    previous._as_administrator([*statements, *readers])
    previous._rewrite_in_plpgsql(("zhibu_outbox_after", "zhibu_outbox_due_retries"))
