-- On Citus (0017): the job claim in statements Citus runs on one shard each: candidates
-- found without locks, the row locked by (tenant_id, id) with SKIP LOCKED, times as
-- values (Citus refuses now() inside coalesce in an UPDATE), the tenant's path asked of
-- tenancy's zhibu_tenant_path apart from the update (0017, 0021).
CREATE OR REPLACE FUNCTION zhibu_claim_job(p_kinds text[], p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text,
               attempts integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    candidate record;
    v_now timestamptz := now();
BEGIN
    FOR candidate IN
        SELECT j.tenant_id AS t, j.id AS i FROM job j
        WHERE j.kind = ANY (p_kinds)
          AND ((j.status = 'queued' AND j.run_after <= v_now)
               OR (j.status = 'running' AND j.lease_until < v_now))
        ORDER BY j.run_after
        LIMIT 20
    LOOP
        PERFORM 1 FROM job l
        WHERE l.tenant_id = candidate.t AND l.id = candidate.i
          AND ((l.status = 'queued' AND l.run_after <= v_now)
               OR (l.status = 'running' AND l.lease_until < v_now))
        FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        UPDATE job SET status = 'running', started_at = coalesce(job.started_at, v_now),
                       heartbeat_at = v_now, lease_until = v_now + p_lease,
                       attempts = job.attempts + 1, progress_done = 0, result = NULL
        WHERE job.tenant_id = candidate.t AND job.id = candidate.i
        RETURNING job.tenant_id, job.id, job.kind, job.created_by, job.attempts
        INTO tenant_id, id, kind, created_by, attempts;
        tenant_path := zhibu_tenant_path(candidate.t);
        RETURN NEXT;
        RETURN;
    END LOOP;
END
$$;
