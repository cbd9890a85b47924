"""SQL functions from .sql files; the check-in hot path's rows built by Python.

Each function is now defined in a `.sql` file of the context that owns it
(`infra/<context>/sql/<function>.sql`). The functions of earlier migrations went there
unchanged (as PostgreSQL prints them); this migration creates the new and changed ones as
their files read at this revision, copied here so that the migration never changes when a
file does. A later change to a file goes with a migration copying its new text;
tests/integration/test_sql_functions.py fails while the database's functions differ from
the files.

- `zhibu_active_member_of_user` (members), `zhibu_organization_path` (tenancy) and
  `zhibu_stored_response` (platform): what the check-in hot path reads of those contexts'
  tables, as SQL functions the planner inlines; `zhibu_write_outbox_events`,
  `zhibu_store_responses` (platform) and `zhibu_write_audit_events` (tenancy): the rows a
  hot path writes to theirs. Activities' SQL names no table of another context.
- `zhibu_self_checkin_contexts` (0006) reads through them; same columns, same plan shape.
- `zhibu_record_self_checkins` (0006) no longer builds the outbox event, the audit event or
  the stored response: it receives the rows `infra.activities.checkin_records` builds from
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
    # infra/platform/sql/zhibu_stored_response.sql
    """
CREATE OR REPLACE FUNCTION zhibu_stored_response(p_tenant uuid, p_user uuid, p_key text)
RETURNS TABLE (fingerprint bytea, status_code integer, body bytea)
LANGUAGE sql STABLE AS $$
    SELECT k.fingerprint, k.status_code, k.body FROM idempotency_key k
    WHERE k.tenant_id = p_tenant AND k.user_id = p_user AND k.key = p_key
$$;
""",
    # infra/platform/sql/zhibu_write_outbox_events.sql
    """
CREATE OR REPLACE FUNCTION zhibu_write_outbox_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload)
    SELECT e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload
    FROM jsonb_populate_recordset(NULL::outbox_event, p_rows) e;
END
$$;
""",
    # infra/platform/sql/zhibu_store_responses.sql
    """
CREATE OR REPLACE FUNCTION zhibu_store_responses(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code, body)
    SELECT k.tenant_id, k.user_id, k.key, k.fingerprint, k.status_code, k.body
    FROM jsonb_populate_recordset(NULL::idempotency_key, p_rows) k;
END
$$;
""",
    # infra/tenancy/sql/zhibu_write_audit_events.sql
    """
CREATE OR REPLACE FUNCTION zhibu_write_audit_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action, resource_type,
        resource_id, outcome, client_addr, request_id, detail)
    SELECT a.tenant_id, a.id, a.actor_id, a.actor_name, a.action, a.resource_type,
        a.resource_id, a.outcome, a.client_addr, a.request_id, a.detail
    FROM jsonb_populate_recordset(NULL::audit_event, p_rows) a;
END
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
    LEFT JOIN LATERAL zhibu_stored_response(r.tenant_id, r.user_id, r.key) k ON true
    LEFT JOIN s ON s.tenant_id = a.tenant_id;
END
$$;
""",
    # infra/activities/sql/zhibu_record_self_checkins.sql
    """
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
    SELECT array_agg(r.id), jsonb_agg(r.outbox), jsonb_agg(r.audit),
           jsonb_agg(r.idempotency) FILTER (WHERE r.idempotency IS NOT NULL)
    INTO written, events, audits, responses
    FROM r JOIN c ON c.id = r.id;
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
""",
]
GRANTS = [
    "REVOKE ALL ON FUNCTION zhibu_active_member_of_user(uuid, uuid) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_active_member_of_user(uuid, uuid) TO zhibu_app",
    "REVOKE ALL ON FUNCTION zhibu_organization_path(uuid, uuid) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_organization_path(uuid, uuid) TO zhibu_app",
    "REVOKE ALL ON FUNCTION zhibu_stored_response(uuid, uuid, text) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_stored_response(uuid, uuid, text) TO zhibu_app",
    "REVOKE ALL ON FUNCTION zhibu_write_outbox_events(jsonb) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_write_outbox_events(jsonb) TO zhibu_app",
    "REVOKE ALL ON FUNCTION zhibu_store_responses(jsonb) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_store_responses(jsonb) TO zhibu_app",
    "REVOKE ALL ON FUNCTION zhibu_write_audit_events(jsonb) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_write_audit_events(jsonb) TO zhibu_app",
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
    op.execute("DROP FUNCTION zhibu_stored_response(uuid, uuid, text)")
    op.execute("DROP FUNCTION zhibu_write_outbox_events(jsonb)")
    op.execute("DROP FUNCTION zhibu_store_responses(jsonb)")
    op.execute("DROP FUNCTION zhibu_write_audit_events(jsonb)")
    hot_path = ScriptDirectory.from_config(context.config).get_revision("0006")
    assert hot_path is not None
    for statement in hot_path.module.SCHEMA:
        op.execute(statement)
