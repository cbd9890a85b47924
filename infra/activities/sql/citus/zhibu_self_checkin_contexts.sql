-- On Citus (migration 0021): the same rows as ../zhibu_self_checkin_contexts.sql, read
-- item by item, each statement keyed by the item's tenant so that Citus runs it on that
-- tenant's shard (one statement joining several distributed tables through PL/pgSQL
-- variables and the contexts' functions is more than Citus can plan). The member, the
-- organizations and the stored response still come from their contexts' functions.
CREATE OR REPLACE FUNCTION zhibu_self_checkin_contexts(p_items jsonb) RETURNS TABLE (
    ord integer, member_id uuid, tenant_id uuid, id uuid, status text,
    starts_at timestamptz, ends_at timestamptz, latitude double precision,
    longitude double precision, radius_m integer, qr_required boolean,
    geofence_enabled boolean, window_minutes integer, expected boolean,
    checkin_id uuid, checkin_client_id text, in_org boolean, settings text,
    key_fingerprint bytea, key_status integer, key_body bytea
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    r record;
    m record;
    a activity;
    v_tenant uuid;
    v_settings text;
    v_member_path ltree;
    v_organization uuid;
BEGIN
    FOR r IN
        SELECT * FROM jsonb_to_recordset(p_items)
            AS i(ord integer, tenant_id uuid, user_id uuid, activity_id uuid, key text)
        WHERE i.tenant_id = ANY (zhibu_scope_tenant_ids())
    LOOP
        IF v_tenant IS DISTINCT FROM r.tenant_id THEN
            v_tenant := r.tenant_id;
            SELECT jsonb_agg(x)::text INTO v_settings FROM zhibu_settings_chain(v_tenant) x;
        END IF;
        FOR m IN SELECT * FROM zhibu_active_member_of_user(r.tenant_id, r.user_id) LOOP
            SELECT * INTO a FROM activity
            WHERE activity.tenant_id = r.tenant_id AND activity.id = r.activity_id;
            ord := r.ord;
            member_id := m.id;
            tenant_id := a.tenant_id;
            id := a.id;
            status := a.status;
            starts_at := a.starts_at;
            ends_at := a.ends_at;
            latitude := a.latitude;
            longitude := a.longitude;
            radius_m := a.radius_m;
            qr_required := a.qr_required;
            geofence_enabled := a.geofence_enabled;
            window_minutes := a.window_minutes;
            expected := false;
            checkin_id := NULL;
            checkin_client_id := NULL;
            in_org := NULL;
            settings := NULL;
            IF a.id IS NOT NULL THEN
                expected := EXISTS (
                    SELECT 1 FROM activity_attendee x
                    WHERE x.tenant_id = r.tenant_id AND x.activity_id = a.id
                      AND x.member_id = m.id);
                SELECT c.id, c.client_id INTO checkin_id, checkin_client_id FROM checkin c
                WHERE c.tenant_id = r.tenant_id AND c.activity_id = a.id
                  AND c.member_id = m.id;
                settings := v_settings;
                IF NOT expected THEN
                    in_org := false;
                    SELECT p.path INTO v_member_path
                    FROM zhibu_organization_path(r.tenant_id, m.organization_id) p;
                    FOR v_organization IN
                        SELECT ao.organization_id FROM activity_organization ao
                        WHERE ao.tenant_id = r.tenant_id AND ao.activity_id = a.id
                    LOOP
                        in_org := in_org OR coalesce((
                            SELECT p.path @> v_member_path
                            FROM zhibu_organization_path(r.tenant_id, v_organization) p),
                            false);
                    END LOOP;
                END IF;
            END IF;
            key_fingerprint := NULL;
            key_status := NULL;
            key_body := NULL;
            SELECT k.fingerprint, k.status_code, k.body
            INTO key_fingerprint, key_status, key_body
            FROM zhibu_stored_response(r.tenant_id, r.user_id, r.key) k;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;
