"""Members' own check-ins, written in groups: two SQL functions with cached plans.

Check-in comes in bursts (a whole branch scanning the code at the start of a meeting).
The API gathers the check-ins of one tenant that arrive together and sends two messages
for the whole group: `BEGIN; <scope>; SELECT * FROM zhibu_self_checkin_contexts(...)`,
then, once `domain.activities` has decided each, `SELECT zhibu_record_self_checkins(...);
COMMIT`. Items travel as one JSON array. PL/pgSQL keeps the plans of the statements
inside for the life of the connection, and `force_generic_plan` makes it use them (no
estimate depends on the items), so the simple protocol costs no planning.

The writes run as the caller (SECURITY INVOKER): row-level security checks every row
they insert, as on the general path. The read runs as the owner (SECURITY DEFINER) and
applies the scope itself, first thing: items outside the caller's subtree are dropped,
and every lookup after that is keyed by the item's tenant. It reads what the same query
under row-level security would. Under row-level security, though, the planner costs the
scope's `tenant_id = ANY(...)` as an array of unknown length, and on tables not yet
analysed it chose indexes that walk every activity or check-in of the tenant; here each
lookup is a probe of a unique key whatever the statistics say.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = [
    # For each item (ord, tenant_id, user_id, activity_id, key): the caller's member
    # record, the activity and what the check-in rules need about the pair, the settings
    # chain, and the response stored under the Idempotency-Key if it was used before.
    # An item with no row: the caller is no member (or not an active one).
    """
    CREATE FUNCTION zhibu_self_checkin_contexts(p_items jsonb) RETURNS TABLE (
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
                   JOIN organization o
                       ON o.tenant_id = ao.tenant_id AND o.id = ao.organization_id
                   JOIN organization mo
                       ON mo.tenant_id = m.tenant_id AND mo.id = m.organization_id
                   WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id
                     AND o.path @> mo.path) END,
               s.settings, k.fingerprint, k.status_code, k.body
        FROM r
        JOIN member m ON m.tenant_id = r.tenant_id AND m.user_id = r.user_id
            AND m.user_id IS NOT NULL AND m.status IN ('probationary', 'full')
        LEFT JOIN activity a ON a.tenant_id = r.tenant_id AND a.id = r.activity_id
        LEFT JOIN activity_attendee x
            ON x.tenant_id = a.tenant_id AND x.activity_id = a.id AND x.member_id = m.id
        LEFT JOIN checkin c
            ON c.tenant_id = a.tenant_id AND c.activity_id = a.id AND c.member_id = m.id
        LEFT JOIN idempotency_key k
            ON k.tenant_id = r.tenant_id AND k.user_id = r.user_id AND k.key = r.key
        LEFT JOIN s ON s.tenant_id = a.tenant_id;
    END
    $$
    """,
    # The accepted check-ins and what must commit with each: its outbox event, its audit
    # event and the stored response. An item whose member is already checked in (a
    # concurrent check-in won the unique key) writes nothing; the ids of the check-ins
    # written are returned. A key stored meanwhile by another request fails the group,
    # which the API then writes item by item.
    """
    CREATE FUNCTION zhibu_record_self_checkins(p_items jsonb) RETURNS SETOF uuid
    LANGUAGE plpgsql SET search_path = public, pg_temp
    SET plan_cache_mode = force_generic_plan AS $$
    BEGIN
        RETURN QUERY
        WITH r AS (
            SELECT * FROM jsonb_to_recordset(p_items) AS r(
                tenant_id uuid, caller_tenant_id uuid, checkin_id uuid, activity_id uuid,
                member_id uuid, source text, occurred_at timestamptz,
                recorded_at timestamptz, user_id uuid, latitude double precision,
                longitude double precision, accuracy_m double precision,
                distance_m double precision, event_id uuid, payload jsonb, audit_id uuid,
                actor_name text, client_addr text, request_id text, detail jsonb, key text,
                fingerprint text, body text)
        ), c AS (
            INSERT INTO checkin (tenant_id, id, activity_id, member_id, source, occurred_at,
                recorded_at, recorded_by, latitude, longitude, accuracy_m, distance_m)
            SELECT r.tenant_id, r.checkin_id, r.activity_id, r.member_id, r.source,
                r.occurred_at, r.recorded_at, r.user_id, r.latitude, r.longitude,
                r.accuracy_m, r.distance_m
            FROM r
            ON CONFLICT DO NOTHING
            RETURNING checkin.id
        ), w AS (
            SELECT r.* FROM r JOIN c ON c.id = r.checkin_id
        ), o AS (
            INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,
                payload)
            SELECT w.tenant_id, w.event_id, 'checkin.recorded', 'activity',
                w.activity_id::text, w.payload
            FROM w
        ), a AS (
            INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action,
                resource_type, resource_id, outcome, client_addr, request_id, detail)
            SELECT w.tenant_id, w.audit_id, w.user_id, w.actor_name, 'checkin.create',
                'checkin', w.checkin_id::text, 'success', w.client_addr, w.request_id,
                w.detail
            FROM w
        ), k AS (
            INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code,
                body)
            SELECT w.caller_tenant_id, w.user_id, w.key, decode(w.fingerprint, 'hex'), 201,
                convert_to(w.body, 'UTF8')
            FROM w WHERE w.key IS NOT NULL
        )
        SELECT c.id FROM c;
    END
    $$
    """,
    "GRANT EXECUTE ON FUNCTION zhibu_self_checkin_contexts(jsonb) TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_record_self_checkins(jsonb) TO zhibu_app",
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS zhibu_record_self_checkins(jsonb)")
    op.execute("DROP FUNCTION IF EXISTS zhibu_self_checkin_contexts(jsonb)")
