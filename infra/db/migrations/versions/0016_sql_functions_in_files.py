"""SQL functions from .sql files; the check-in hot path's rows built by Python.

Each function is now defined in a `.sql` file of the context that owns it
(`infra/<context>/sql/<function>.sql`). The functions of earlier migrations went there
unchanged (as PostgreSQL prints them); this migration creates the new and changed ones as
their files read at this revision, copied here so that the migration never changes when a
file does. A later change to a file goes with a migration copying its new text;
tests/integration/test_sql_functions.py fails while the database's functions differ from
the files.

- `zhibu_active_member_of_user` (members) and `zhibu_organization_path` (tenancy): what the
  check-in hot path needs of the member and organization tables, as SQL functions the
  planner inlines, so that activities' SQL names no table of another context.
- `zhibu_self_checkin_contexts` (0006) reads through them; same columns, same plan shape.
- `zhibu_record_self_checkins` (0006) no longer builds the outbox event, the audit event or
  the stored response: it inserts the rows `infra.activities.checkin_records` builds from
  the definitions the unit of work uses, so the event payload, the audit record and the
  idempotency record are defined once. Its argument's items change shape accordingly.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from alembic import context, op
from alembic.script import ScriptDirectory

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FUNCTIONS = [
    # infra/members/sql/zhibu_active_member_of_user.sql
    """
CREATE OR REPLACE FUNCTION zhibu_active_member_of_user(p_tenant uuid, p_user uuid)
RETURNS TABLE (id uuid, tenant_id uuid, organization_id uuid, status text)
LANGUAGE sql STABLE AS $$
    SELECT m.id, m.tenant_id, m.organization_id, m.status FROM member m
    WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND m.user_id IS NOT NULL
      AND m.status IN ('probationary', 'full')
$$;
""",
    # infra/tenancy/sql/zhibu_organization_path.sql
    """
CREATE OR REPLACE FUNCTION zhibu_organization_path(p_tenant uuid, p_organization uuid)
RETURNS TABLE (path ltree)
LANGUAGE sql STABLE AS $$
    SELECT o.path FROM organization o WHERE o.tenant_id = p_tenant AND o.id = p_organization
$$;
""",
    # infra/activities/sql/zhibu_self_checkin_contexts.sql
    """
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
    LEFT JOIN idempotency_key k
        ON k.tenant_id = r.tenant_id AND k.user_id = r.user_id AND k.key = r.key
    LEFT JOIN s ON s.tenant_id = a.tenant_id;
END
$$;
""",
    # infra/activities/sql/zhibu_record_self_checkins.sql
    """
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
""",
]
GRANTS = [
    "REVOKE ALL ON FUNCTION zhibu_active_member_of_user(uuid, uuid) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION zhibu_organization_path(uuid, uuid) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_active_member_of_user(uuid, uuid) TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_organization_path(uuid, uuid) TO zhibu_app",
]


def upgrade() -> None:
    for statement in [*FUNCTIONS, *GRANTS]:
        op.execute(statement)


def downgrade() -> None:
    """Back to the functions of 0006, as that migration holds them."""
    op.execute("DROP FUNCTION zhibu_self_checkin_contexts(jsonb)")
    op.execute("DROP FUNCTION zhibu_record_self_checkins(jsonb)")
    op.execute("DROP FUNCTION zhibu_active_member_of_user(uuid, uuid)")
    op.execute("DROP FUNCTION zhibu_organization_path(uuid, uuid)")
    hot_path = ScriptDirectory.from_config(context.config).get_revision("0006")
    assert hot_path is not None
    for statement in hot_path.module.SCHEMA:
        op.execute(statement)
