-- The committed outbox events after a relay position, across tenants (0015); each
-- event's tenant path from tenancy's zhibu_tenant_path (0020); read below the bound the
-- event feed reads below, zhibu_outbox_bound (0043).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
 RETURNS TABLE(
    tenant_id uuid, id uuid, xid xid8, seq bigint, topic text, aggregate_type text,
    aggregate_id text, payload jsonb, created_at timestamp with time zone,
    tenant_path text
)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at, zhibu_tenant_path(e.tenant_id)
        FROM outbox_event e
        WHERE (e.xid, e.seq) > (p_xid, p_seq)
          AND e.xid < zhibu_outbox_bound(p_xid)
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    $function$;
