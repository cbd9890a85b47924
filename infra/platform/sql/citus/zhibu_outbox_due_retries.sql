-- On Citus (0023): a handler's parked events due for another attempt, found on the shards
-- (the parked events and their outbox rows are co-located by tenant); tenants' paths are
-- asked of tenancy's zhibu_tenant_path here, outside the shard query.
CREATE OR REPLACE FUNCTION zhibu_outbox_due_retries(p_handler text, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
               aggregate_type text, aggregate_id text, payload jsonb,
               created_at timestamptz, tenant_path text, attempts integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH heads AS (
        SELECT DISTINCT ON (r.tenant_id, r.aggregate_type, r.aggregate_id)
               r.tenant_id, r.aggregate_type, r.aggregate_id, r.next_attempt_at
        FROM outbox_retry r WHERE r.handler = p_handler
        ORDER BY r.tenant_id, r.aggregate_type, r.aggregate_id, r.xid, r.seq
    ), due AS MATERIALIZED (
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, r.attempts
        FROM heads h
        JOIN outbox_retry r ON r.handler = p_handler AND r.tenant_id = h.tenant_id
             AND r.aggregate_type = h.aggregate_type AND r.aggregate_id = h.aggregate_id
        JOIN outbox_event e ON e.tenant_id = r.tenant_id AND e.id = r.event_id
        WHERE h.next_attempt_at <= now()
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    ), paths AS MATERIALIZED (
        SELECT t.tenant_id, zhibu_tenant_path(t.tenant_id) AS path
        FROM (SELECT DISTINCT d.tenant_id FROM due d) t
    )
    SELECT d.tenant_id, d.id, d.xid, d.seq, d.topic, d.aggregate_type, d.aggregate_id,
           d.payload, d.created_at, p.path, d.attempts
    FROM due d JOIN paths p ON p.tenant_id = d.tenant_id
    ORDER BY d.xid, d.seq;
END
$$;
