-- The enabled webhook subscriptions (0060), each with its cursor over the outbox: the
-- dispatcher reads every subscription's next events after it, types and subtree filtered,
-- at the pace its endpoint takes them.
CREATE OR REPLACE FUNCTION zhibu_webhook_streams()
 RETURNS TABLE(
    tenant_id uuid, id uuid, tenant_path text, organization_id uuid, event_types text[],
    created_at timestamp with time zone, cursor_xid text, cursor_seq bigint
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id, s.tenant_path, s.organization_id, s.event_types,
               s.created_at, s.cursor_xid::text, s.cursor_seq
        FROM webhook_subscription s
        WHERE s.enabled;
END
$function$;
