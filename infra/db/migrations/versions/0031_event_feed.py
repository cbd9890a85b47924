"""The event feed (事件流, issue 13 item 4): its read bound and its index.

Third parties page through the outbox of their subtree with a cursor `(xid, seq)`. Like
the relay, the feed reads only events of transactions older than every running one, so an
event whose transaction began earlier but committed later is never passed over:
`zhibu_outbox_bound(after)` gives that bound (on Citus, in the coordinator's ids and below
any two-phase commit a node still holds prepared, as 0023's relay reader does), and the
page itself is an ordinary query under row-level security, by tenant along the index
added here. The texts below are frozen copies of the files.

Revision ID: 0031
Revises: 0033
Create Date: 2026-12-02
"""

from typing import Any

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

from infra.db.rls import IS_CITUS

revision = "0031"
down_revision = "0033"
branch_labels = None
depends_on = None

# infra/platform/sql/zhibu_outbox_bound.sql
BOUND = """
CREATE OR REPLACE FUNCTION zhibu_outbox_bound(p_after xid8)
 RETURNS xid8
 LANGUAGE sql
 STABLE
AS $function$ SELECT pg_snapshot_xmin(pg_current_snapshot()) $function$;
"""

# infra/platform/sql/citus/zhibu_outbox_bound.sql
BOUND_CITUS = """
CREATE OR REPLACE FUNCTION zhibu_outbox_bound(p_after xid8) RETURNS xid8
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
    WHERE w.xid > p_after::text::bigint AND w.xid < v_bound;
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
    RETURN v_bound::text::xid8;
END
$$;
"""

GRANTS = [
    "ALTER FUNCTION zhibu_outbox_bound(xid8) OWNER TO zhibu_owner",
    "REVOKE ALL ON FUNCTION zhibu_outbox_bound(xid8) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_outbox_bound(xid8) TO zhibu_app",
]

INDEX = "CREATE INDEX outbox_event_feed ON outbox_event (tenant_id, xid, seq)"


def _is_citus() -> bool:
    return op.get_bind().execute(text(IS_CITUS)).first() is not None


def _revision(name: str) -> Any:
    found = ScriptDirectory.from_config(context.config).get_revision(name)
    assert found is not None
    return found.module


def upgrade() -> None:
    op.execute(INDEX)
    if _is_citus():
        _revision("0021")._as_administrator([BOUND_CITUS, *GRANTS])
        return
    for statement in (BOUND, *GRANTS):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_outbox_bound(xid8)")
    op.execute("DROP INDEX outbox_event_feed")
