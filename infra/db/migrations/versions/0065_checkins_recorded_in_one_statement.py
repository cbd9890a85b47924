"""Members' own check-ins written in one statement (issue 14, the check-in ratio with
accrual running).

`zhibu_record_self_checkins` inserts the check-ins' outbox events, audit events and stored
responses itself instead of handing each kind, aggregated again as JSON, to its context's
function in a nested call: 151 µs of PostgreSQL per check-in against 123 after
(pg_stat_statements under bench.points_lag). Citus keeps its item-by-item version (0021,
0047), which still hands them over. The text below is a frozen copy of
infra/activities/sql/zhibu_record_self_checkins.sql.

Revision ID: 0065
Revises: 0064
Create Date: 2026-12-03
"""

from typing import Any

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

from infra.db.rls import IS_CITUS

revision = "0065"
down_revision = "0064"
branch_labels = None
depends_on = None

RECORD_CHECKINS = """
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
"""


def _is_citus() -> bool:
    return op.get_bind().execute(text(IS_CITUS)).first() is not None


def _revision(name: str) -> Any:
    found = ScriptDirectory.from_config(context.config).get_revision(name)
    assert found is not None
    return found.module


def upgrade() -> None:
    if not _is_citus():
        op.execute(RECORD_CHECKINS)


def downgrade() -> None:
    if not _is_citus():
        op.execute(_revision("0047").RECORD_CHECKINS)
