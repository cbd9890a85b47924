"""The outbox relay: each event's transaction and position, what each handler has done.

An event's `xid` is its writer's transaction id and `seq` its place within the
transaction. Transaction ids are taken in order but committed in any order, so reading "the
events after the last one relayed" would skip an event whose transaction began earlier and
committed later. The relay therefore reads only events of transactions older than every
transaction still running (`pg_snapshot_xmin`): all of those have committed or rolled back,
so nothing can appear behind the position it keeps. Both columns are filled by defaults,
so every writer (the unit of work, the check-in hot path's SQL function, member import)
records them without knowing, and no insert takes a lock for them.

Each handler keeps its own position (`outbox_relay_position`), records the events it has
applied in the same transaction as their effect (`outbox_processed`, so applying is
idempotent by event id) and parks events it failed on (`outbox_retry`) with a time for the
next attempt, so one failing handler or tenant blocks nothing else. The relay reads across
tenants through SECURITY DEFINER functions, as the other pre-scope lookups do; handlers run
in the event's tenant scope.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCHEMA = [
    "CREATE SEQUENCE outbox_event_seq",
    "GRANT USAGE ON SEQUENCE outbox_event_seq TO zhibu_app",
    "ALTER TABLE outbox_event"
    " ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
    " ADD COLUMN seq bigint NOT NULL DEFAULT nextval('outbox_event_seq')",
    # Nothing ever set published_at: the relay's order replaces that index.
    "DROP INDEX outbox_unpublished",
    "CREATE INDEX outbox_event_relay_order ON outbox_event (xid, seq)",
    """
    CREATE TABLE outbox_relay_position (
        handler text PRIMARY KEY,
        xid xid8 NOT NULL DEFAULT '0'::xid8,
        seq bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "GRANT SELECT, INSERT, UPDATE ON outbox_relay_position TO zhibu_app",
    """
    CREATE TABLE outbox_processed (
        tenant_id uuid NOT NULL,
        handler text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, handler, event_id)
    )
    """,
    *tenant_table_rls("outbox_processed", grants="SELECT, INSERT"),
    """
    CREATE TABLE outbox_retry (
        tenant_id uuid NOT NULL,
        handler text NOT NULL,
        event_id uuid NOT NULL,
        xid xid8 NOT NULL,
        seq bigint NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        PRIMARY KEY (tenant_id, handler, event_id)
    )
    """,
    "CREATE INDEX outbox_retry_due ON outbox_retry (handler, next_attempt_at)",
    *tenant_table_rls("outbox_retry", grants="SELECT, INSERT, UPDATE, DELETE"),
    # The next committed events after a handler's position, across tenants. One statement,
    # so its snapshot both decides visibility and bounds the read by its xmin.
    """
    CREATE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
    RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
                   aggregate_type text, aggregate_id text, payload jsonb,
                   created_at timestamptz, tenant_path text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, t.path::text
        FROM outbox_event e JOIN tenant t ON t.id = e.tenant_id
        WHERE (e.xid, e.seq) > (p_xid, p_seq)
          AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $$
    """,
    "GRANT EXECUTE ON FUNCTION zhibu_outbox_after(xid8, bigint, integer) TO zhibu_app",
    # A handler's parked events whose aggregate is due again: every parked event of such an
    # aggregate, in order, so that a retry never overtakes an earlier event.
    """
    CREATE FUNCTION zhibu_outbox_due_retries(p_handler text, p_limit integer)
    RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
                   aggregate_type text, aggregate_id text, payload jsonb,
                   created_at timestamptz, tenant_path text, attempts integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH heads AS (
            SELECT DISTINCT ON (r.tenant_id, r.aggregate_type, r.aggregate_id)
                   r.tenant_id, r.aggregate_type, r.aggregate_id, r.next_attempt_at
            FROM outbox_retry r WHERE r.handler = p_handler
            ORDER BY r.tenant_id, r.aggregate_type, r.aggregate_id, r.xid, r.seq
        )
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, t.path::text, r.attempts
        FROM heads h
        JOIN outbox_retry r ON r.handler = p_handler AND r.tenant_id = h.tenant_id
             AND r.aggregate_type = h.aggregate_type AND r.aggregate_id = h.aggregate_id
        JOIN outbox_event e ON e.tenant_id = r.tenant_id AND e.id = r.event_id
        JOIN tenant t ON t.id = e.tenant_id
        WHERE h.next_attempt_at <= now()
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $$
    """,
    "GRANT EXECUTE ON FUNCTION zhibu_outbox_due_retries(text, integer) TO zhibu_app",
    # Which aggregates a handler has parked events of: later events of those wait behind.
    """
    CREATE FUNCTION zhibu_outbox_parked(p_handler text)
    RETURNS TABLE (tenant_id uuid, aggregate_type text, aggregate_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT DISTINCT r.tenant_id, r.aggregate_type, r.aggregate_id
        FROM outbox_retry r WHERE r.handler = p_handler
    $$
    """,
    "GRANT EXECUTE ON FUNCTION zhibu_outbox_parked(text) TO zhibu_app",
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_outbox_parked(text)")
    op.execute("DROP FUNCTION zhibu_outbox_due_retries(text, integer)")
    op.execute("DROP FUNCTION zhibu_outbox_after(xid8, bigint, integer)")
    op.execute("DROP TABLE outbox_retry, outbox_processed, outbox_relay_position")
    op.execute("DROP INDEX outbox_event_relay_order")
    op.execute("ALTER TABLE outbox_event DROP COLUMN seq, DROP COLUMN xid")
    op.execute("DROP SEQUENCE outbox_event_seq")
    op.execute(
        "CREATE INDEX outbox_unpublished ON outbox_event (created_at) WHERE published_at IS NULL"
    )
