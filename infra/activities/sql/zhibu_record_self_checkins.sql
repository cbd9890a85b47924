-- Members' own check-ins, written for a whole group in one round trip (fast_checkin.py).
-- Each item carries the rows to write, built in Python by infra.activities.checkin_records
-- from the same definitions the unit of work uses: `checkin`, and what must commit with
-- it, `outbox` (its event), `audit` (its audit event) and `idempotency` (the stored
-- response, or null). This function decides nothing: it inserts the check-ins, and for
-- those written the other rows, the event placed at the activity's organizer
-- (`organization_id`, 0047). An item whose member is already checked in (a concurrent
-- check-in won the unique key) writes nothing. Returns the ids of the check-ins written. A
-- key stored meanwhile by another request fails the group, which the API then writes
-- item by item.
--
-- One statement (0065): it inserts the outbox, audit and idempotency rows itself, as
-- `zhibu_write_outbox_events`, `zhibu_write_audit_events` and `zhibu_store_responses` do
-- (which the Citus version still calls, item by item). Handing them over cost a nested
-- call each, and each parsed its rows again from JSON aggregated for it: 151 µs of
-- PostgreSQL per check-in against 123 now (pg_stat_statements, bench.points_lag).
--
-- Runs as the caller (SECURITY INVOKER): row-level security checks every row.
CREATE OR REPLACE FUNCTION zhibu_record_self_checkins(p_items jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN QUERY
    WITH r AS MATERIALIZED (
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
    ), w AS MATERIALIZED (
        SELECT r.id, r.outbox, r.audit, r.idempotency, a.organization_id
        FROM r JOIN c ON c.id = r.id
        JOIN activity a ON a.tenant_id = r.tenant_id AND a.id = r.activity_id
    ), events AS (
        INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload,
            organization_id)
        SELECT e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload,
            w.organization_id
        FROM w CROSS JOIN LATERAL jsonb_populate_record(NULL::outbox_event, w.outbox) e
    ), audits AS (
        INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action, resource_type,
            resource_id, outcome, client_addr, request_id, detail)
        SELECT a.tenant_id, a.id, a.actor_id, a.actor_name, a.action, a.resource_type,
            a.resource_id, a.outcome, a.client_addr, a.request_id, a.detail
        FROM w CROSS JOIN LATERAL jsonb_populate_record(NULL::audit_event, w.audit) a
    ), responses AS (
        INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code, body)
        SELECT k.tenant_id, k.user_id, k.key, k.fingerprint, k.status_code, k.body
        FROM w CROSS JOIN LATERAL jsonb_populate_record(NULL::idempotency_key, w.idempotency) k
        WHERE w.idempotency IS NOT NULL
    )
    SELECT w.id FROM w;
END
$$;
