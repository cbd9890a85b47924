"""Durable jobs: retries after a delay, leases that expire, schedules that run once per slot.

A claimed job holds a lease its worker keeps extending; a job whose worker died is claimed
again once the lease has run out. A failed run goes back to the queue with `run_after` in
the future. The claim scans without locks, then locks one row by its full key (tenant_id,
id) with SKIP LOCKED — a single-shard statement, so it also runs on Citus.

`job_schedule_run` holds one row per (schedule, slot): whichever worker inserts it runs
that slot. It has no tenant data (schedules are platform housekeeping) and no RLS.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CLAIM = """
CREATE FUNCTION zhibu_claim_job(p_kinds text[], p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text,
               attempts integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    candidate record;
BEGIN
    FOR candidate IN
        SELECT j.tenant_id AS t, j.id AS i FROM job j
        WHERE j.kind = ANY (p_kinds)
          AND ((j.status = 'queued' AND j.run_after <= now())
               OR (j.status = 'running' AND j.lease_until < now()))
        ORDER BY j.run_after
        LIMIT 20
    LOOP
        RETURN QUERY
        UPDATE job SET status = 'running', started_at = coalesce(job.started_at, now()),
                       heartbeat_at = now(), lease_until = now() + p_lease,
                       attempts = job.attempts + 1, progress_done = 0, result = NULL
        FROM tenant t
        WHERE job.tenant_id = candidate.t AND job.id = candidate.i AND t.id = job.tenant_id
          AND job.id = (
              SELECT l.id FROM job l
              WHERE l.tenant_id = candidate.t AND l.id = candidate.i
                AND ((l.status = 'queued' AND l.run_after <= now())
                     OR (l.status = 'running' AND l.lease_until < now()))
              FOR UPDATE SKIP LOCKED
          )
        RETURNING job.tenant_id, job.id, job.kind, job.created_by, t.path::text, job.attempts;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$$
"""


def upgrade() -> None:
    op.execute("DROP FUNCTION zhibu_claim_job(interval)")
    op.execute(
        "ALTER TABLE job ADD COLUMN run_after timestamptz NOT NULL DEFAULT now(),"
        " ADD COLUMN lease_until timestamptz"
    )
    op.execute("DROP INDEX job_queued")
    op.execute("CREATE INDEX job_ready ON job (run_after) WHERE status = 'queued'")
    op.execute("CREATE INDEX job_leased ON job (lease_until) WHERE status = 'running'")
    op.execute(CLAIM)
    op.execute("REVOKE ALL ON FUNCTION zhibu_claim_job(text[], interval) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_claim_job(text[], interval) TO zhibu_app")
    op.execute(
        """
        CREATE TABLE job_schedule_run (
            schedule text NOT NULL,
            slot timestamptz NOT NULL,
            worker text NOT NULL,
            claimed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (schedule, slot)
        )
        """
    )
    op.execute("GRANT SELECT, INSERT, DELETE ON job_schedule_run TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP TABLE job_schedule_run")
    op.execute("DROP FUNCTION zhibu_claim_job(text[], interval)")
    op.execute("DROP INDEX job_leased")
    op.execute("DROP INDEX job_ready")
    op.execute("CREATE INDEX job_queued ON job (created_at) WHERE status = 'queued'")
    op.execute("ALTER TABLE job DROP COLUMN lease_until, DROP COLUMN run_after")
    op.execute(
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
            WHERE job.tenant_id = picked.tenant_id AND job.id = picked.id
              AND t.id = job.tenant_id
            RETURNING job.tenant_id, job.id, job.kind, job.created_by, t.path::text;
        END
        $$
        """
    )
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_claim_job(interval) TO zhibu_app")
