-- On Citus (migration 0021): what ../zhibu_record_self_checkins.sql does, item by item:
-- each check-in inserted with INSERT … VALUES on its tenant's shard (an INSERT … SELECT
-- from the JSON would run as a COPY, which Citus refuses under row-level security), and
-- the rows that commit with it handed to the functions of the contexts that own them,
-- the event placed at the activity's organizer (`organization_id`, 0047).
CREATE OR REPLACE FUNCTION zhibu_record_self_checkins(p_items jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    i record;
    c checkin;
    v_id uuid;
    v_organization uuid;
BEGIN
    FOR i IN
        SELECT * FROM jsonb_to_recordset(p_items)
            AS i(checkin jsonb, outbox jsonb, audit jsonb, idempotency jsonb)
    LOOP
        c := jsonb_populate_record(NULL::checkin, i.checkin);
        INSERT INTO checkin (tenant_id, id, activity_id, member_id, source, occurred_at,
            recorded_at, recorded_by, client_id, latitude, longitude, accuracy_m,
            distance_m)
        VALUES (c.tenant_id, c.id, c.activity_id, c.member_id, c.source, c.occurred_at,
            c.recorded_at, c.recorded_by, c.client_id, c.latitude, c.longitude,
            c.accuracy_m, c.distance_m)
        ON CONFLICT DO NOTHING
        RETURNING checkin.id INTO v_id;
        CONTINUE WHEN NOT FOUND;
        SELECT a.organization_id INTO v_organization FROM activity a
        WHERE a.tenant_id = c.tenant_id AND a.id = c.activity_id;
        PERFORM zhibu_write_outbox_events(jsonb_build_array(
            i.outbox || jsonb_build_object('organization_id', v_organization)));
        PERFORM zhibu_write_audit_events(jsonb_build_array(i.audit));
        IF i.idempotency IS NOT NULL AND i.idempotency <> 'null'::jsonb THEN
            PERFORM zhibu_store_responses(jsonb_build_array(i.idempotency));
        END IF;
        RETURN NEXT v_id;
    END LOOP;
END
$$;
