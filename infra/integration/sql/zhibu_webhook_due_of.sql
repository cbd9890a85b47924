CREATE OR REPLACE FUNCTION zhibu_webhook_due_of(p_subscriptions uuid[], p_per_endpoint integer)
 RETURNS TABLE(
    tenant_id uuid, id uuid, subscription_tenant_id uuid, subscription_id uuid,
    event_id uuid, body text, attempts integer
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    s uuid;
BEGIN
    FOREACH s IN ARRAY p_subscriptions LOOP
        RETURN QUERY
            SELECT w.tenant_id, w.id, w.subscription_tenant_id, w.subscription_id, w.event_id,
                   w.body, w.attempts
            FROM webhook_delivery w
            WHERE w.subscription_id = s AND w.status = 'pending'
              AND w.next_attempt_at <= now()
            ORDER BY w.next_attempt_at, w.id
            LIMIT p_per_endpoint;
    END LOOP;
END
$function$;
