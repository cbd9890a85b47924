-- Audit events given as rows (JSON objects keyed by column), for a hot path that writes
-- them with its change in one round trip without naming `audit_event` itself. Runs as the
-- caller: row-level security checks every row.
CREATE OR REPLACE FUNCTION zhibu_write_audit_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action, resource_type,
        resource_id, outcome, client_addr, request_id, detail)
    SELECT a.tenant_id, a.id, a.actor_id, a.actor_name, a.action, a.resource_type,
        a.resource_id, a.outcome, a.client_addr, a.request_id, a.detail
    FROM jsonb_populate_recordset(NULL::audit_event, p_rows) a;
END
$$;
