"""Cross-cutting tables: background jobs, idempotency keys, the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = [
    # Background jobs run on PostgreSQL itself: claimed with SKIP LOCKED, progress readable.
    """
    CREATE TABLE job (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'queued'
            CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        created_by uuid NOT NULL,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        input bytea,
        progress_done integer NOT NULL DEFAULT 0,
        progress_total integer,
        result jsonb,
        error jsonb,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        heartbeat_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, created_by) REFERENCES app_user (tenant_id, id)
    )
    """,
    "CREATE INDEX job_queued ON job (created_at) WHERE status = 'queued'",
    *tenant_table_rls("job"),
    # Workers have no tenant scope until they hold a job: claiming is a definer function.
    """
    CREATE FUNCTION zhibu_claim_job(p_stale_after interval)
    RETURNS TABLE (tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        RETURN QUERY
        WITH picked AS (
            SELECT j.tenant_id, j.id FROM job j
            WHERE j.status = 'queued'
               OR (j.status = 'running' AND j.heartbeat_at < now() - p_stale_after)
            ORDER BY j.created_at
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        )
        UPDATE job SET status = 'running', started_at = coalesce(job.started_at, now()),
                       heartbeat_at = now(), attempts = job.attempts + 1
        FROM picked, tenant t
        WHERE job.tenant_id = picked.tenant_id AND job.id = picked.id AND t.id = job.tenant_id
        RETURNING job.tenant_id, job.id, job.kind, job.created_by, t.path::text;
    END
    $$
    """,
    "GRANT EXECUTE ON FUNCTION zhibu_claim_job(interval) TO zhibu_app",
    # Idempotency-Key: the first response is stored in the same transaction as the change.
    """
    CREATE TABLE idempotency_key (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        user_id uuid NOT NULL,
        key text NOT NULL,
        fingerprint bytea NOT NULL,
        status_code integer,
        body bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id, key),
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    *tenant_table_rls("idempotency_key", grants="SELECT, INSERT, UPDATE, DELETE"),
    # Outbox: domain events committed with the change, published later by a relay.
    """
    CREATE TABLE outbox_event (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        topic text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "CREATE INDEX outbox_unpublished ON outbox_event (created_at) WHERE published_at IS NULL",
    *tenant_table_rls("outbox_event", grants="SELECT, INSERT"),
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS zhibu_claim_job(interval)")
    for table in ("outbox_event", "idempotency_key", "job"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
