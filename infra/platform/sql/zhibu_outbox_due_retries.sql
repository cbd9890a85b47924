-- A handler's parked events due for another attempt (0015); each
-- event's tenant path from tenancy's zhibu_tenant_path (0020).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
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
