-- Outbox events given as rows (JSON objects keyed by column), for a hot path that writes
-- them with its change in one round trip without naming `outbox_event` itself. Runs as
-- the caller: row-level security checks every row.
CREATE OR REPLACE FUNCTION zhibu_write_outbox_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload,
        organization_id)
    SELECT e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload,
        e.organization_id
    FROM jsonb_populate_recordset(NULL::outbox_event, p_rows) e;
END
$$;
