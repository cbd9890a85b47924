"""On Citus, self check-ins are read and recorded item by item, each statement on its
tenant's shard.

The check-in functions of 0016 read a whole group in one statement joining several
distributed tables through the contexts' functions, and write it with INSERT … SELECT
(a COPY on Citus, refused under row-level security). On Citus this migration installs the
versions in `infra/<context>/sql/citus/`: the same rows, one item at a time, inserted with
INSERT … VALUES; and the job claim of 0017 and the relay's readers in 0020's words
(tenancy's `zhibu_tenant_path` for a tenant's path). Plain PostgreSQL keeps its functions
(nothing changes there).
tests/integration/test_sql_functions.py compares a Citus database with those files.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from typing import Any

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

CITUS_FUNCTIONS = [
    # infra/platform/sql/citus/zhibu_claim_job.sql
    """
CREATE OR REPLACE FUNCTION zhibu_claim_job(p_kinds text[], p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text,
               attempts integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    candidate record;
    v_now timestamptz := now();
BEGIN
    FOR candidate IN
        SELECT j.tenant_id AS t, j.id AS i FROM job j
        WHERE j.kind = ANY (p_kinds)
          AND ((j.status = 'queued' AND j.run_after <= v_now)
               OR (j.status = 'running' AND j.lease_until < v_now))
        ORDER BY j.run_after
        LIMIT 20
    LOOP
        PERFORM 1 FROM job l
        WHERE l.tenant_id = candidate.t AND l.id = candidate.i
          AND ((l.status = 'queued' AND l.run_after <= v_now)
               OR (l.status = 'running' AND l.lease_until < v_now))
        FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        UPDATE job SET status = 'running', started_at = coalesce(job.started_at, v_now),
                       heartbeat_at = v_now, lease_until = v_now + p_lease,
                       attempts = job.attempts + 1, progress_done = 0, result = NULL
        WHERE job.tenant_id = candidate.t AND job.id = candidate.i
        RETURNING job.tenant_id, job.id, job.kind, job.created_by, job.attempts
        INTO tenant_id, id, kind, created_by, attempts;
        tenant_path := zhibu_tenant_path(candidate.t);
        RETURN NEXT;
        RETURN;
    END LOOP;
END
$$;
""",
    # infra/platform/sql/citus/zhibu_write_outbox_events.sql
    """
CREATE OR REPLACE FUNCTION zhibu_write_outbox_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    e outbox_event;
BEGIN
    FOR e IN SELECT * FROM jsonb_populate_recordset(NULL::outbox_event, p_rows) LOOP
        INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload)
        VALUES (e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload);
    END LOOP;
END
$$;
""",
    # infra/platform/sql/citus/zhibu_store_responses.sql
    """
CREATE OR REPLACE FUNCTION zhibu_store_responses(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    k idempotency_key;
BEGIN
    FOR k IN SELECT * FROM jsonb_populate_recordset(NULL::idempotency_key, p_rows) LOOP
        INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code, body)
        VALUES (k.tenant_id, k.user_id, k.key, k.fingerprint, k.status_code, k.body);
    END LOOP;
END
$$;
""",
    # infra/tenancy/sql/citus/zhibu_write_audit_events.sql
    """
CREATE OR REPLACE FUNCTION zhibu_write_audit_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    a audit_event;
BEGIN
    FOR a IN SELECT * FROM jsonb_populate_recordset(NULL::audit_event, p_rows) LOOP
        INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action, resource_type,
            resource_id, outcome, client_addr, request_id, detail)
        VALUES (a.tenant_id, a.id, a.actor_id, a.actor_name, a.action, a.resource_type,
            a.resource_id, a.outcome, a.client_addr, a.request_id, a.detail);
    END LOOP;
END
$$;
""",
    # infra/activities/sql/citus/zhibu_self_checkin_contexts.sql
    """
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
""",
    # infra/activities/sql/citus/zhibu_record_self_checkins.sql
    """
CREATE OR REPLACE FUNCTION zhibu_record_self_checkins(p_items jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    i record;
    c checkin;
    v_id uuid;
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
        PERFORM zhibu_write_outbox_events(jsonb_build_array(i.outbox));
        PERFORM zhibu_write_audit_events(jsonb_build_array(i.audit));
        IF i.idempotency IS NOT NULL AND i.idempotency <> 'null'::jsonb THEN
            PERFORM zhibu_store_responses(jsonb_build_array(i.idempotency));
        END IF;
        RETURN NEXT v_id;
    END LOOP;
END
$$;
""",
]


def _is_citus() -> bool:
    found = op.get_bind().execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'"))
    return found.first() is not None


def upgrade() -> None:
    if not _is_citus():
        return
    # The relay's readers as 0020 words them (tenancy's zhibu_tenant_path for the path), in
    # the PL/pgSQL form 0017 gives SQL functions with parameters on Citus.
    readers = [s for s in _revision("0020").FUNCTIONS if "FUNCTION zhibu_outbox_" in s]
    _as_administrator([*CITUS_FUNCTIONS, *readers])
    _rewrite_in_plpgsql(("zhibu_outbox_after", "zhibu_outbox_due_retries"))


def _revision(name: str) -> Any:
    found = ScriptDirectory.from_config(context.config).get_revision(name)
    assert found is not None
    return found.module


def _as_administrator(statements: list[str]) -> None:
    """As 0017 does on Citus: its metadata sync runs on the administrator's connections."""
    op.execute("RESET ROLE")
    for statement in statements:
        op.execute(statement)
    op.execute("SET ROLE zhibu_owner")


def _rewrite_in_plpgsql(names: tuple[str, ...]) -> None:
    distribution = _revision("0017")
    query = distribution.SQL_FUNCTIONS.replace(
        "ORDER BY 1", "AND p.proname = ANY (:names) ORDER BY 1"
    )
    rows = op.get_bind().execute(text(query), {"names": list(names)}).all()
    _as_administrator([distribution._as_plpgsql(*row) for row in rows])


def downgrade() -> None:
    """Back to 0016's check-in functions and 0017's claim and relay readers."""
    if not _is_citus():
        return
    names = (
        "zhibu_write_outbox_events",
        "zhibu_store_responses",
        "zhibu_write_audit_events",
        "zhibu_self_checkin_contexts",
        "zhibu_record_self_checkins",
    )
    functions = _revision("0016").FUNCTIONS
    readers = [s for s in _revision("0020").PREVIOUS if "FUNCTION zhibu_outbox_" in s]
    _as_administrator(
        [
            *(s for s in functions if any(f"FUNCTION {n}(" in s for n in names)),
            _revision("0017").CLAIM_JOB_CITUS,
            *readers,
        ]
    )
    _rewrite_in_plpgsql(("zhibu_outbox_after", "zhibu_outbox_due_retries"))
