"""Events placed in the organization tree (issue 13 item 4): clients confined to one
organization's subtree read the event feed and receive webhooks.

`outbox_event.organization_id` is the organization an event happened in (a member's, an
activity's organizer, a payment's, a transfer side's), set by its writer; empty for
tenant-level events (a month's bills, a star run, a disabled webhook), which only clients
of the whole tenant read. Existing events get it where it can be derived (from the
payload, the activity, the member, the payment or the transfer). The feed of a confined
client reads its tenant's events along `(tenant_id, organization_id, xid, seq)`;
`webhook_subscription.organization_id` is the subscribing client's organization, and
`zhibu_webhook_subscribers` returns it, so the fan-out keeps such a subscription only for
events of that subtree. The texts below are frozen copies of the files named.

Revision ID: 0047
Revises: 0051
Create Date: 2026-12-02
"""

from typing import Any

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

from infra.db.rls import IS_CITUS

revision = "0047"
down_revision = "0051"
branch_labels = None
depends_on = None

# infra/platform/sql/zhibu_write_outbox_events.sql
WRITE_EVENTS = """
CREATE OR REPLACE FUNCTION zhibu_write_outbox_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload,
        organization_id)
    SELECT e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload,
        e.organization_id
    FROM jsonb_populate_recordset(NULL::outbox_event, p_rows) e;
END
$$;
"""

# infra/platform/sql/citus/zhibu_write_outbox_events.sql
WRITE_EVENTS_CITUS = """
CREATE OR REPLACE FUNCTION zhibu_write_outbox_events(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    e outbox_event;
BEGIN
    FOR e IN SELECT * FROM jsonb_populate_recordset(NULL::outbox_event, p_rows) LOOP
        INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload,
            organization_id)
        VALUES (e.tenant_id, e.id, e.topic, e.aggregate_type, e.aggregate_id, e.payload,
            e.organization_id);
    END LOOP;
END
$$;
"""

# infra/activities/sql/zhibu_record_self_checkins.sql
RECORD_CHECKINS = """
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
    SELECT array_agg(r.id),
           jsonb_agg(r.outbox || jsonb_build_object('organization_id', a.organization_id)),
           jsonb_agg(r.audit),
           jsonb_agg(r.idempotency) FILTER (WHERE r.idempotency IS NOT NULL)
    INTO written, events, audits, responses
    FROM r JOIN c ON c.id = r.id
    JOIN activity a ON a.tenant_id = r.tenant_id AND a.id = r.activity_id;
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
"""

# infra/activities/sql/citus/zhibu_record_self_checkins.sql
RECORD_CHECKINS_CITUS = """
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
"""

# infra/integration/sql/zhibu_webhook_subscribers.sql
SUBSCRIBERS = """
CREATE OR REPLACE FUNCTION zhibu_webhook_subscribers(p_paths text[], p_topic text, p_at timestamptz)
 RETURNS TABLE(tenant_id uuid, id uuid, organization_id uuid)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id, s.organization_id FROM webhook_subscription s
        WHERE s.tenant_path = ANY (p_paths) AND s.enabled
          AND p_topic = ANY (s.event_types) AND s.created_at <= p_at;
END
$function$;
"""

SUBSCRIBERS_SIGNATURE = "zhibu_webhook_subscribers(text[], text, timestamptz)"

BACKFILL = [
    # the payload names it
    "UPDATE outbox_event SET organization_id = (payload ->> 'organization_id')::uuid"
    " WHERE organization_id IS NULL AND (topic LIKE 'member.%' OR topic LIKE 'applicant.%'"
    " OR topic IN ('dues.payment_settled', 'dues.arrears_warning', 'dues.arrears_flagged',"
    " 'star_rating.appealed'))",
    # an activity's organizer
    "UPDATE outbox_event e SET organization_id = a.organization_id FROM activity a"
    " WHERE e.organization_id IS NULL AND e.aggregate_type = 'activity'"
    " AND a.tenant_id = e.tenant_id AND a.id::text = e.aggregate_id",
    # a member's organization (points, voluntary dues)
    "UPDATE outbox_event e SET organization_id = m.organization_id FROM member m"
    " WHERE e.organization_id IS NULL AND e.aggregate_type = 'member'"
    " AND m.tenant_id = e.tenant_id AND m.id::text = e.aggregate_id",
    "UPDATE outbox_event e SET organization_id = p.organization_id FROM dues_payment p"
    " WHERE e.organization_id IS NULL AND e.aggregate_type = 'dues_payment'"
    " AND p.tenant_id = e.tenant_id AND p.id::text = e.aggregate_id",
    # a transfer's side: the sending organization, the receiving one, the certificate's
    "UPDATE outbox_event e SET organization_id = t.from_organization_id FROM transfer t"
    " WHERE e.organization_id IS NULL AND e.aggregate_type = 'transfer'"
    " AND t.tenant_id = e.tenant_id AND t.id::text = e.aggregate_id",
    "UPDATE outbox_event e SET organization_id = t.to_organization_id FROM transfer_arrival t"
    " WHERE e.organization_id IS NULL AND e.aggregate_type = 'transfer'"
    " AND t.tenant_id = e.tenant_id AND t.id::text = e.aggregate_id",
    "UPDATE outbox_event e SET organization_id = c.organization_id FROM mobile_certificate c"
    " WHERE e.organization_id IS NULL AND e.aggregate_type = 'transfer'"
    " AND c.tenant_id = e.tenant_id AND c.id::text = e.aggregate_id",
]


def _is_citus() -> bool:
    return op.get_bind().execute(text(IS_CITUS)).first() is not None


def _revision(name: str) -> Any:
    found = ScriptDirectory.from_config(context.config).get_revision(name)
    assert found is not None
    return found.module


def _subscribers(create: str) -> None:
    op.execute(f"DROP FUNCTION {SUBSCRIBERS_SIGNATURE}")
    op.execute(create)
    op.execute(f"REVOKE ALL ON FUNCTION {SUBSCRIBERS_SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SUBSCRIBERS_SIGNATURE} TO zhibu_app")


def upgrade() -> None:
    op.execute("ALTER TABLE outbox_event ADD COLUMN organization_id uuid")
    op.execute("ALTER TABLE webhook_subscription ADD COLUMN organization_id uuid")
    for statement in BACKFILL:
        op.execute(statement)
    op.execute(
        "CREATE INDEX outbox_event_feed_organization"
        " ON outbox_event (tenant_id, organization_id, xid, seq)"
    )
    _subscribers(SUBSCRIBERS)
    if _is_citus():
        _revision("0021")._as_administrator([WRITE_EVENTS_CITUS, RECORD_CHECKINS_CITUS])
        return
    op.execute(WRITE_EVENTS)
    op.execute(RECORD_CHECKINS)


def _previous(functions: list[str], name: str) -> str:
    return next(f for f in functions if f"FUNCTION {name}(" in f)


def downgrade() -> None:
    _subscribers(_revision("0032").SUBSCRIBERS)
    names = ("zhibu_write_outbox_events", "zhibu_record_self_checkins")
    if _is_citus():
        before = _revision("0021").CITUS_FUNCTIONS
        _revision("0021")._as_administrator([_previous(before, n) for n in names])
    else:
        for name in names:
            op.execute(_previous(_revision("0016").FUNCTIONS, name))
    op.execute("DROP INDEX outbox_event_feed_organization")
    op.execute("ALTER TABLE webhook_subscription DROP COLUMN organization_id")
    op.execute("ALTER TABLE outbox_event DROP COLUMN organization_id")
