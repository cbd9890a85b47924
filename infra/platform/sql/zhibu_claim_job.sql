-- The next due job of the given kinds, leased to the calling worker (0012); its tenant's
-- path from tenancy's zhibu_tenant_path (0020).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
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
