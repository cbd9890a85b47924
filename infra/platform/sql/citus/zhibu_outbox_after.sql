-- On Citus (0023): the committed outbox events after a relay position. Every write
-- reaches the shards through the coordinator, which evaluates the columns' defaults, so
-- `xid` counts the coordinator's transactions and the coordinator's snapshot bounds the
-- read as on PostgreSQL; the bound goes to the shards as a value (each node counts its
-- own ids). It is lowered below every transaction that committed here by two-phase
-- commit while a node still holds its part prepared: Citus commits those parts just
-- after the coordinator's own commit. pg_dist_transaction's xmin is 32 bits wide, widened
-- against the next id of the same snapshot. Tenants' paths are asked of tenancy's
-- zhibu_tenant_path here, outside the shard query.
CREATE OR REPLACE FUNCTION zhibu_outbox_after(p_xid xid8, p_seq bigint, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, xid xid8, seq bigint, topic text,
               aggregate_type text, aggregate_id text, payload jsonb,
               created_at timestamptz, tenant_path text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_snapshot pg_snapshot := pg_current_snapshot();
    v_next bigint := pg_snapshot_xmax(v_snapshot)::text::bigint;
    v_bound bigint := pg_snapshot_xmin(v_snapshot)::text::bigint;
    v_pending jsonb;
    v_prepared text[];
    v_failed bigint;
BEGIN
    SELECT jsonb_object_agg(w.gid, w.xid) INTO v_pending
    FROM (SELECT t.gid, v_next - (v_next - t.xmin::text::bigint) % 4294967296 AS xid
          FROM pg_dist_transaction t) w
    WHERE w.xid > p_xid::text::bigint AND w.xid < v_bound;
    IF v_pending IS NOT NULL THEN
        SELECT string_to_array(string_agg(nullif(n.result, ''), ' '), ' '),
               count(*) FILTER (WHERE NOT n.success)
        INTO v_prepared, v_failed
        FROM run_command_on_all_nodes(
            'SELECT coalesce(string_agg(gid, '' ''), '''') FROM pg_prepared_xacts') n;
        IF v_failed > 0 THEN
            RAISE EXCEPTION 'a node did not say which transactions it holds prepared';
        END IF;
        SELECT least(v_bound, min((v_pending ->> g)::bigint)) INTO v_bound
        FROM unnest(v_prepared) g;
    END IF;
    RETURN QUERY
    WITH batch AS MATERIALIZED (
        SELECT e.tenant_id, e.id, e.xid, e.seq, e.topic, e.aggregate_type, e.aggregate_id,
               e.payload, e.created_at
        FROM outbox_event e
        WHERE (e.xid, e.seq) > (p_xid, p_seq) AND e.xid < v_bound::text::xid8
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
