"""The relay reads below the event feed's bound: `zhibu_outbox_after` calls
`zhibu_outbox_bound`.

On Citus, 0023's `zhibu_outbox_after` lowered the coordinator's snapshot below the
two-phase commits a node still holds prepared, and 0031's `zhibu_outbox_bound` (the event
feed's) repeated that code; the relay now asks the feed's function, so one copy of the
rule is left. On PostgreSQL both read the snapshot's xmin, now through the same function.
The texts below are frozen copies of `infra/platform/sql/zhibu_outbox_after.sql` and
`infra/platform/sql/citus/zhibu_outbox_after.sql`.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-02
"""

from typing import Any

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

from infra.db.rls import IS_CITUS

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None

AFTER = """
CREATE OR REPLACE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
 RETURNS TABLE(
    tenant_id uuid, id uuid, xid xid8, seq bigint, topic text, aggregate_type text,
    aggregate_id text, payload jsonb, created_at timestamp with time zone,
    tenant_path text
)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, zhibu_tenant_path(e.tenant_id)
        FROM outbox_event e
        WHERE (e.xid, e.seq) > (p_xid, p_seq)
          AND e.xid < zhibu_outbox_bound(p_xid)
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $function$;
"""

AFTER_CITUS = """
CREATE OR REPLACE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
               aggregate_type text, aggregate_id text, payload jsonb,
               created_at timestamptz, tenant_path text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_bound xid8 := zhibu_outbox_bound(p_xid);
BEGIN
    RETURN QUERY
    WITH batch AS MATERIALIZED (
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at
        FROM outbox_event e
        WHERE (e.xid, e.seq) > (p_xid, p_seq) AND e.xid < v_bound
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
"""


def _is_citus() -> bool:
    return op.get_bind().execute(text(IS_CITUS)).first() is not None


def _revision(name: str) -> Any:
    found = ScriptDirectory.from_config(context.config).get_revision(name)
    assert found is not None
    return found.module


def _after(statements: list[str]) -> str:
    return next(s for s in statements if "FUNCTION zhibu_outbox_after(" in s)


def upgrade() -> None:
    if _is_citus():
        _revision("0021")._as_administrator([AFTER_CITUS])
        return
    op.execute(AFTER)


def downgrade() -> None:
    """Back to 0023's reader on Citus, 0020's on PostgreSQL."""
    if _is_citus():
        _revision("0021")._as_administrator([_after(_revision("0023").CITUS_FUNCTIONS)])
        return
    op.execute(_after(_revision("0020").FUNCTIONS))
