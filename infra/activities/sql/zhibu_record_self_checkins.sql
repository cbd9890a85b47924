-- Members' own check-ins, written for a whole group in one statement (fast_checkin.py).
-- Each item carries the rows to write, built in Python by infra.activities.checkin_records
-- from the same definitions the unit of work uses: `checkin`, and what must commit with
-- it, `outbox` (its event), `audit` (its audit event) and `idempotency` (the stored
-- response, or null). This function decides nothing: it inserts them, except for an item
-- whose member is already checked in (a concurrent check-in won the unique key), which
-- writes nothing. Returns the ids of the check-ins written. A key stored meanwhile by
-- another request fails the group, which the API then writes item by item.
--
-- Runs as the caller (SECURITY INVOKER): row-level security checks every row.
CREATE OR REPLACE FUNCTION zhibu_record_self_checkins(p_items jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN QUERY
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
    ), w AS (
        SELECT r.outbox, r.audit, r.idempotency FROM r JOIN c ON c.id = r.id
    ), o AS (
        INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,
            payload)
        SELECT e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload
        FROM w CROSS JOIN LATERAL jsonb_populate_record(NULL::outbox_event, w.outbox) e
    ), a AS (
        INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action,
            resource_type, resource_id, outcome, client_addr, request_id, detail)
        SELECT e.tenant_id, e.id, e.actor_id, e.actor_name, e.action, e.resource_type,
            e.resource_id, e.outcome, e.client_addr, e.request_id, e.detail
        FROM w CROSS JOIN LATERAL jsonb_populate_record(NULL::audit_event, w.audit) e
    ), k AS (
        INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code,
            body)
        SELECT e.tenant_id, e.user_id, e.key, e.fingerprint, e.status_code, e.body
        FROM w CROSS JOIN LATERAL jsonb_populate_record(NULL::idempotency_key, w.idempotency) e
        WHERE w.idempotency IS NOT NULL
    )
    SELECT c.id FROM c;
END
$$;
