-- The subscriptions that want an event of `p_topic` in a tenant at one of `p_paths` (its
-- own and its ancestors'), made before it happened; with each the organization its client
-- is confined to (0047), or null for a client of the whole tenant: the fan-out keeps a
-- confined one only for events of that organization's subtree.
CREATE OR REPLACE FUNCTION zhibu_webhook_subscribers(p_paths text[], p_topic text, p_at timestamptz)
 RETURNS TABLE(tenant_id uuid, id uuid, organization_id uuid)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id, s.organization_id FROM webhook_subscription s
        WHERE s.tenant_path = ANY (p_paths) AND s.enabled
          AND p_topic = ANY (s.event_types) AND s.created_at <= p_at;
END
$function$;
