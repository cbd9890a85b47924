-- The aggregates a handler has parked events of (0015).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_outbox_parked(p_handler text)
 RETURNS TABLE(tenant_id uuid, aggregate_type text, aggregate_id text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT DISTINCT r.tenant_id, r.aggregate_type, r.aggregate_id
        FROM outbox_retry r WHERE r.handler = p_handler
    $function$;
