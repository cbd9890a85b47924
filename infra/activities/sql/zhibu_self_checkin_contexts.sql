-- Members' own check-ins, read for a whole group in one statement (fast_checkin.py).
-- For each item (ord, tenant_id, user_id, activity_id, key): the caller's member record,
-- the activity and what the check-in rules need about the pair, the settings chain, and
-- the response stored under the Idempotency-Key if it was used before. An item with no
-- row: the caller is no member (or not an active one).
--
-- Runs as the owner (SECURITY DEFINER) and applies the scope itself, first thing: items
-- outside the caller's subtree are dropped, and every lookup after that is keyed by the
-- item's tenant, so each is a probe of a unique key whatever the statistics say. The
-- member, the organizations and the stored response come from their contexts' inlined
-- functions.
-- `force_generic_plan`: the plan is kept for the connection's life (no estimate depends
-- on the items).
CREATE OR REPLACE FUNCTION zhibu_self_checkin_contexts(p_items jsonb) RETURNS TABLE (
    ord integer, member_id uuid, tenant_id uuid, id uuid, status text,
    starts_at timestamptz, ends_at timestamptz, latitude double precision,
    longitude double precision, radius_m integer, qr_required boolean,
    geofence_enabled boolean, window_minutes integer, expected boolean,
    checkin_id uuid, checkin_client_id text, in_org boolean, settings text,
    key_fingerprint bytea, key_status integer, key_body bytea
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH r AS (
        SELECT * FROM jsonb_to_recordset(p_items)
            AS r(ord integer, tenant_id uuid, user_id uuid, activity_id uuid, key text)
        WHERE r.tenant_id = ANY (zhibu_scope_tenant_ids())
    ), s AS MATERIALIZED (
        SELECT t.tenant_id,
               (SELECT jsonb_agg(x)::text FROM zhibu_settings_chain(t.tenant_id) x)
                   AS settings
        FROM (SELECT DISTINCT r.tenant_id FROM r) t
    )
    SELECT r.ord, m.id, a.tenant_id, a.id, a.status, a.starts_at, a.ends_at,
           a.latitude, a.longitude, a.radius_m, a.qr_required, a.geofence_enabled,
           a.window_minutes, x.member_id IS NOT NULL, c.id, c.client_id,
           CASE WHEN a.id IS NOT NULL AND x.member_id IS NULL THEN EXISTS (
               SELECT 1 FROM activity_organization ao
               CROSS JOIN LATERAL zhibu_organization_path(ao.tenant_id, ao.organization_id) o
               CROSS JOIN LATERAL zhibu_organization_path(m.tenant_id, m.organization_id) mo
               WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id
                 AND o.path @> mo.path) END,
           s.settings, k.fingerprint, k.status_code, k.body
    FROM r
    CROSS JOIN LATERAL zhibu_active_member_of_user(r.tenant_id, r.user_id) m
    LEFT JOIN activity a ON a.tenant_id = r.tenant_id AND a.id = r.activity_id
    LEFT JOIN activity_attendee x
        ON x.tenant_id = a.tenant_id AND x.activity_id = a.id AND x.member_id = m.id
    LEFT JOIN checkin c
        ON c.tenant_id = a.tenant_id AND c.activity_id = a.id AND c.member_id = m.id
    LEFT JOIN LATERAL zhibu_stored_response(r.tenant_id, r.user_id, r.key) k ON true
    LEFT JOIN s ON s.tenant_id = a.tenant_id;
END
$$;
