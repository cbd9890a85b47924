-- On Citus (0031): the event feed's read bound in the coordinator's transaction ids, as
-- the relay's zhibu_outbox_after takes it: the coordinator's snapshot, lowered below every
-- transaction after p_after that committed here by two-phase commit while a node still
-- holds its part prepared (Citus commits those parts just after the coordinator's own).
CREATE OR REPLACE FUNCTION zhibu_outbox_bound(p_after xid8) RETURNS xid8
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
    WHERE w.xid > p_after::text::bigint AND w.xid < v_bound;
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
    RETURN v_bound::text::xid8;
END
$$;
