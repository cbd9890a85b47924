CREATE OR REPLACE FUNCTION zhibu_webhook_subscribers(p_paths text[], p_topic text, p_at timestamptz)
 RETURNS TABLE(tenant_id uuid, id uuid)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id FROM webhook_subscription s
        WHERE s.tenant_path = ANY (p_paths) AND s.enabled
          AND p_topic = ANY (s.event_types) AND s.created_at <= p_at;
END
$function$;
