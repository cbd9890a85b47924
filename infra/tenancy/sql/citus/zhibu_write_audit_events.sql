-- On Citus (migration 0021): the rows one by one with INSERT … VALUES, each routed to its
-- tenant's shard; an INSERT … SELECT from the JSON would run as a COPY, which Citus
-- refuses on tables under row-level security.
CREATE OR REPLACE FUNCTION zhibu_write_audit_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    a audit_event;
BEGIN
    FOR a IN SELECT * FROM jsonb_populate_recordset(NULL::audit_event, p_rows) LOOP
        INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action, resource_type,
            resource_id, outcome, client_addr, request_id, detail)
        VALUES (a.tenant_id, a.id, a.actor_id, a.actor_name, a.action, a.resource_type,
            a.resource_id, a.outcome, a.client_addr, a.request_id, a.detail);
    END LOOP;
END
$$;
