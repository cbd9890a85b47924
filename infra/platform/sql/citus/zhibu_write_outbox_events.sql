-- On Citus (migration 0021): the rows one by one with INSERT … VALUES, each routed to its
-- tenant's shard; an INSERT … SELECT from the JSON would run as a COPY, which Citus
-- refuses on tables under row-level security.
CREATE OR REPLACE FUNCTION zhibu_write_outbox_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    e outbox_event;
BEGIN
    FOR e IN SELECT * FROM jsonb_populate_recordset(NULL::outbox_event, p_rows) LOOP
        INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload,
            organization_id)
        VALUES (e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload,
            e.organization_id);
    END LOOP;
END
$$;
