-- On Citus (0023, 0043): the committed outbox events after a relay position, below the
-- bound zhibu_outbox_bound gives after it (the coordinator's snapshot, lowered below
-- every transaction a node still holds prepared; see that function), which goes to the
-- shards as a value. Tenants' paths are asked of tenancy's zhibu_tenant_path here,
-- outside the shard query.
CREATE OR REPLACE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
               aggregate_type text, aggregate_id text, payload jsonb,
               created_at timestamptz, tenant_path text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_bound xid8 := zhibu_outbox_bound(p_xid);
BEGIN
    RETURN QUERY
    WITH batch AS MATERIALIZED (
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at
        FROM outbox_event e
        WHERE (e.xid, e.seq) > (p_xid, p_seq) AND e.xid < v_bound
        ORDER BY e.xid, e.seq
        LIMIT p_limit
    ), paths AS MATERIALIZED (
        SELECT t.tenant_id, zhibu_tenant_path(t.tenant_id) AS path
        FROM (SELECT DISTINCT b.tenant_id FROM batch b) t
    )
    SELECT b.tenant_id, b.id, b.xid, b.seq, b.topic, b.aggregate_type, b.aggregate_id,
           b.payload, b.created_at, p.path
    FROM batch b JOIN paths p ON p.tenant_id = b.tenant_id
    ORDER BY b.xid, b.seq;
END
$$;
