-- Members' own check-ins, written for a whole group in one round trip (fast_checkin.py).
-- Each item carries the rows to write, built in Python by infra.activities.checkin_records
-- from the same definitions the unit of work uses: `checkin`, and what must commit with
-- it, `outbox` (its event), `audit` (its audit event) and `idempotency` (the stored
-- response, or null). This function decides nothing: it inserts the check-ins, and for
-- those written hands the other rows to the functions of the contexts that own those
-- tables, the event placed at the activity's organizer (`organization_id`, 0047). An
-- item whose member is already checked in (a concurrent check-in won the unique key)
-- writes nothing. Returns the ids of the check-ins written. A key stored
-- meanwhile by another request fails the group, which the API then writes item by item.
--
-- Runs as the caller (SECURITY INVOKER): row-level security checks every row.
CREATE OR REPLACE FUNCTION zhibu_record_self_checkins(p_items jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    written uuid[];
    events jsonb;
    audits jsonb;
    responses jsonb;
BEGIN
    WITH r AS (
        SELECT c.*, i.outbox, i.audit, i.idempotency
        FROM jsonb_to_recordset(p_items)
            AS i(checkin jsonb, outbox jsonb, audit jsonb, idempotency jsonb)
        CROSS JOIN LATERAL jsonb_populate_record(NULL::checkin, i.checkin) c
    ), c AS (
        INSERT INTO checkin (tenant_id, id, activity_id, member_id, source, occurred_at,
            recorded_at, recorded_by, client_id, latitude, longitude, accuracy_m,
            distance_m)
        SELECT r.tenant_id, r.id, r.activity_id, r.member_id, r.source, r.occurred_at,
            r.recorded_at, r.recorded_by, r.client_id, r.latitude, r.longitude,
            r.accuracy_m, r.distance_m
        FROM r
        ON CONFLICT DO NOTHING
        RETURNING checkin.id
    )
    SELECT array_agg(r.id),
           jsonb_agg(r.outbox || jsonb_build_object('organization_id', a.organization_id)),
           jsonb_agg(r.audit),
           jsonb_agg(r.idempotency) FILTER (WHERE r.idempotency IS NOT NULL)
    INTO written, events, audits, responses
    FROM r JOIN c ON c.id = r.id
    JOIN activity a ON a.tenant_id = r.tenant_id AND a.id = r.activity_id;
    IF written IS NULL THEN
        RETURN;
    END IF;
    PERFORM zhibu_write_outbox_events(events);
    PERFORM zhibu_write_audit_events(audits);
    IF responses IS NOT NULL THEN
        PERFORM zhibu_store_responses(responses);
    END IF;
    RETURN QUERY SELECT unnest(written);
END
$$;
