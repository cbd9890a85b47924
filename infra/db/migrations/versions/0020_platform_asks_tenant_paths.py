"""Platform SQL names no tenancy table: jobs and outbox events get their tenant's path
from tenancy's `zhibu_tenant_path` (0001) instead of joining `tenant`.

`zhibu_claim_job`, `zhibu_outbox_after` and `zhibu_outbox_due_retries` return the same
columns as before; the path of each returned row is asked of tenancy's function. The
texts below are frozen copies of their files (`infra/platform/sql/`) at this revision.

On Citus (the citus extension is installed) nothing changes here: 0017 gave these three
functions PL/pgSQL forms Citus can plan, and those stay until they are rewritten on the
same lines.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

FUNCTIONS = [
    # infra/platform/sql/zhibu_claim_job.sql
    """
CREATE OR REPLACE FUNCTION zhibu_claim_job(p_kinds text[], p_lease interval)
 RETURNS TABLE(
    tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text,
    attempts integer
)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
        WHERE job.tenant_id = candidate.t AND job.id = candidate.i
          AND job.id = (
              SELECT l.id FROM job l
              WHERE l.tenant_id = candidate.t AND l.id = candidate.i
                AND ((l.status = 'queued' AND l.run_after <= now())
                     OR (l.status = 'running' AND l.lease_until < now()))
              FOR UPDATE SKIP LOCKED
          )
        RETURNING job.tenant_id, job.id, job.kind, job.created_by,
                  zhibu_tenant_path(job.tenant_id), job.attempts;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$function$;
""",
    # infra/platform/sql/zhibu_outbox_after.sql
    """
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
          AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $function$;
""",
    # infra/platform/sql/zhibu_outbox_due_retries.sql
    """
CREATE OR REPLACE FUNCTION zhibu_outbox_due_retries(p_handler text, p_limit integer)
 RETURNS TABLE(
    tenant_id uuid, id uuid, xid xid8, seq bigint, topic text, aggregate_type text,
    aggregate_id text, payload jsonb, created_at timestamp with time zone,
    tenant_path text, attempts integer
)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        WITH heads AS (
            SELECT DISTINCT ON (r.tenant_id, r.aggregate_type, r.aggregate_id)
                   r.tenant_id, r.aggregate_type, r.aggregate_id, r.next_attempt_at
            FROM outbox_retry r WHERE r.handler = p_handler
            ORDER BY r.tenant_id, r.aggregate_type, r.aggregate_id, r.xid, r.seq
        )
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, zhibu_tenant_path(e.tenant_id), r.attempts
        FROM heads h
        JOIN outbox_retry r ON r.handler = p_handler AND r.tenant_id = h.tenant_id
             AND r.aggregate_type = h.aggregate_type AND r.aggregate_id = h.aggregate_id
        JOIN outbox_event e ON e.tenant_id = r.tenant_id AND e.id = r.event_id
        WHERE h.next_attempt_at <= now()
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $function$;
""",
]

# As 0012 and 0015 left them, for downgrade.
PREVIOUS = [
    """
CREATE OR REPLACE FUNCTION zhibu_claim_job(p_kinds text[], p_lease interval)
 RETURNS TABLE(
    tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text,
    attempts integer
)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
$function$;
""",
    """
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
               e.payload, e.created_at, t.path::text
        FROM outbox_event e JOIN tenant t ON t.id = e.tenant_id
        WHERE (e.xid, e.seq) > (p_xid, p_seq)
          AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $function$;
""",
    """
CREATE OR REPLACE FUNCTION zhibu_outbox_due_retries(p_handler text, p_limit integer)
 RETURNS TABLE(
    tenant_id uuid, id uuid, xid xid8, seq bigint, topic text, aggregate_type text,
    aggregate_id text, payload jsonb, created_at timestamp with time zone,
    tenant_path text, attempts integer
)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
    $function$;
""",
]


def _is_citus() -> bool:
    found = op.get_bind().execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'"))
    return found.first() is not None


def upgrade() -> None:
    if _is_citus():
        return
    for statement in FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    if _is_citus():
        return
    for statement in PREVIOUS:
        op.execute(statement)
