CREATE OR REPLACE FUNCTION zhibu_webhook_due(p_limit integer, p_per_endpoint integer, p_skip uuid[])
 RETURNS TABLE(
    tenant_id uuid, id uuid, subscription_tenant_id uuid, subscription_id uuid,
    event_id uuid, body text, attempts integer
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT d.tenant_id, d.id, d.subscription_tenant_id, d.subscription_id, d.event_id,
               d.body, d.attempts
        FROM (
            SELECT w.tenant_id, w.id, w.subscription_tenant_id, w.subscription_id, w.event_id,
                   w.body, w.attempts, w.next_attempt_at,
                   row_number() OVER (PARTITION BY w.tenant_id, w.subscription_id
                                      ORDER BY w.next_attempt_at, w.id) AS n
            FROM webhook_delivery w
            WHERE w.status = 'pending' AND w.next_attempt_at <= now()
              AND NOT (w.subscription_id = ANY (p_skip))
        ) d
        WHERE d.n <= p_per_endpoint
        ORDER BY d.next_attempt_at, d.id
        LIMIT p_limit;
END
$function$;
