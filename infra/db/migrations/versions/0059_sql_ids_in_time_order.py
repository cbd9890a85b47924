"""Rows the SQL functions write get version 7 ids (`zhibu_uuid7`), as the application's do:
the audit trail is paged newest first by id, and the version 4 ids the transfer doors
(0054, 0057) gave their audit rows and steps sorted above every other row, topping each
page whatever their time. The function texts are frozen copies of their files.

Revision ID: 0059
Revises: 0058
Create Date: 2026-12-03
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0059"
down_revision = "0058"
branch_labels = None
depends_on = None

# infra/db/sql/zhibu_uuid7.sql
UUID7 = """
CREATE OR REPLACE FUNCTION zhibu_uuid7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
            PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                FROM 3)
            FROM 1 FOR 6), 52, 1), 53, 1),
        'hex')::uuid
$$;
"""

# infra/dues/sql/zhibu_dues_carry_in.sql
CARRY_IN = """
CREATE OR REPLACE FUNCTION zhibu_dues_carry_in(
    p_tenant uuid, p_member uuid, p_paid_to date, p_transfer uuid, p_from_tenant uuid,
    p_actor jsonb
) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO dues_carried_in (tenant_id, member_id, paid_to, transfer_id, from_tenant_id)
    VALUES (p_tenant, p_member, date_trunc('month', p_paid_to)::date, p_transfer,
            p_from_tenant)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', p_tenant, 'id', zhibu_uuid7(),
        'actor_id', p_actor->'actor_id', 'actor_name', p_actor->'actor_name',
        'client_addr', p_actor->'client_addr', 'request_id', p_actor->'request_id',
        'action', 'dues.paid_to_carried_in', 'resource_type', 'member', 'resource_id', p_member,
        'outcome', 'success',
        'detail', jsonb_build_object('paid_to', to_char(p_paid_to, 'YYYY-MM'),
                                     'transfer_id', p_transfer))));
END
$$;
"""

# infra/transfers/sql/zhibu_transfer_advance.sql
ADVANCE = """
CREATE OR REPLACE FUNCTION zhibu_transfer_advance(
    p_tenant uuid, p_from text, p_row jsonb, p_step jsonb, p_audit jsonb, p_outbox jsonb
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r transfer := jsonb_populate_record(NULL::transfer, p_row);
    s transfer_step := jsonb_populate_record(NULL::transfer_step, p_step);
    t transfer%ROWTYPE;
    v_found text;
    v_action text := 'deliver';
    v_reason text;
    v_audit text := 'transfer.arrived';
    v_actor jsonb := jsonb_build_object('actor_id', p_audit->0->'actor_id',
        'actor_name', p_audit->0->'actor_name', 'client_addr', p_audit->0->'client_addr',
        'request_id', p_audit->0->'request_id');
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) OR r.tenant_id IS DISTINCT FROM p_tenant
        OR jsonb_array_length(p_audit) = 0
        OR NOT (r.state = 'sent' AND p_from IN ('draft', 'pending_approval', 'returned')
            OR r.state IN ('cancelled', 'expired') AND p_from IN ('sent', 'returned'))
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_audit || p_outbox) e
            WHERE NOT (e->>'tenant_id')::uuid = ANY (zhibu_scope_tenant_ids())) THEN
        RAISE EXCEPTION 'transfer % cannot advance so', r.id USING ERRCODE = '42501';
    END IF;
    UPDATE transfer SET state = r.state, approvals_done = r.approvals_done, hold = r.hold,
        dues_paid_to = r.dues_paid_to, member_status = r.member_status,
        letter_number = r.letter_number, letter_issued_on = r.letter_issued_on,
        sent_at = r.sent_at, expires_at = r.expires_at, updated_at = r.updated_at,
        closed_at = r.closed_at, version = version + 1
    WHERE tenant_id = p_tenant AND id = r.id AND state = p_from AND version = r.version - 1
        AND to_tenant_id IS NOT NULL
    RETURNING * INTO t;
    IF NOT FOUND THEN
        SELECT state INTO v_found FROM transfer WHERE tenant_id = p_tenant AND id = r.id;
        RETURN v_found;
    END IF;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, level, actor_id, actor_name, reason, at)
    VALUES (p_tenant, s.id, t.id, 'sending', s.action, p_from, t.state, s.level, s.actor_id,
        s.actor_name, s.reason, s.at);
    PERFORM zhibu_write_audit_events(p_audit);
    PERFORM zhibu_write_outbox_events(p_outbox);
    IF t.state = 'sent' THEN
        INSERT INTO transfer_arrival (tenant_id, id, from_tenant_id, from_tenant_name,
            from_organization_name, to_organization_id, to_organization_name, kind, reason,
            state, letter_number, letter_issued_on, validity_days, expires_at, member_name,
            member_gender, member_birth_date, member_ethnicity, member_status,
            member_id_number_masked, member_phone_masked, dues_paid_to, sent_at, updated_at)
        VALUES (t.to_tenant_id, t.id, t.tenant_id, t.from_tenant_name,
            t.from_organization_name, t.to_organization_id, t.to_organization_name, t.kind,
            t.reason, 'sent', t.letter_number, t.letter_issued_on, t.validity_days,
            t.expires_at, t.member_name, t.member_gender, t.member_birth_date,
            t.member_ethnicity, t.member_status, t.member_id_number_masked,
            t.member_phone_masked, t.dues_paid_to, t.sent_at, t.updated_at)
        ON CONFLICT (tenant_id, id) DO UPDATE SET state = 'sent',
            letter_issued_on = EXCLUDED.letter_issued_on, expires_at = EXCLUDED.expires_at,
            member_status = EXCLUDED.member_status, dues_paid_to = EXCLUDED.dues_paid_to,
            sent_at = EXCLUDED.sent_at, updated_at = EXCLUDED.updated_at;
        v_found := NULL;
    ELSE
        -- plain values, not CASE over a field: Citus deparses `CASE t.state WHEN …` wrongly
        v_action := CASE WHEN t.state = 'cancelled' THEN 'cancel' ELSE 'expire' END;
        v_reason := s.reason;
        v_audit := 'transfer.' || t.state;
        SELECT state INTO v_found FROM transfer_arrival
        WHERE tenant_id = t.to_tenant_id AND id = t.id AND state IN ('sent', 'returned')
        FOR UPDATE;
        IF NOT FOUND THEN
            RETURN t.state;
        END IF;
        UPDATE transfer_arrival SET state = t.state, updated_at = t.updated_at
        WHERE tenant_id = t.to_tenant_id AND id = t.id;
    END IF;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name, reason, at)
    VALUES (t.to_tenant_id, zhibu_uuid7(), t.id, 'receiving', v_action, v_found, t.state,
        s.actor_id, s.actor_name, v_reason, s.at);
    PERFORM zhibu_write_audit_events(jsonb_build_array(v_actor || jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', zhibu_uuid7(),
        'action', v_audit, 'resource_type', 'transfer', 'resource_id', t.id, 'outcome', 'success',
        'detail', jsonb_strip_nulls(jsonb_build_object('from_tenant_id', t.tenant_id,
            'letter_number', CASE WHEN t.state = 'sent' THEN t.letter_number END)))));
    RETURN t.state;
END
$$;
"""

# infra/transfers/sql/zhibu_transfer_answer.sql
ANSWER = """
CREATE OR REPLACE FUNCTION zhibu_transfer_answer(
    p_tenant uuid, p_id uuid, p_state text, p_reason text, p_actor_name text,
    p_new_member uuid, p_audit jsonb, p_outbox jsonb
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a transfer_arrival%ROWTYPE;
    t transfer%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
    v_action text := CASE p_state WHEN 'accepted' THEN 'accept' ELSE 'return' END;
    v_member uuid;
    v_found text;
    -- a value, not now() in a CASE: Citus evaluates no volatile function there
    v_closed timestamptz := CASE WHEN p_state = 'accepted' THEN now() END;
BEGIN
    IF p_state NOT IN ('accepted', 'returned')
        OR NOT p_tenant = ANY (zhibu_scope_tenant_ids()) OR jsonb_array_length(p_audit) = 0
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_audit || p_outbox) e
            WHERE NOT (e->>'tenant_id')::uuid = ANY (zhibu_scope_tenant_ids())) THEN
        RAISE EXCEPTION 'transfer % cannot be answered so', p_id USING ERRCODE = '42501';
    END IF;
    SELECT * INTO a FROM transfer_arrival WHERE tenant_id = p_tenant AND id = p_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE transfer SET state = p_state, updated_at = now(), version = version + 1,
        closed_at = v_closed
    WHERE tenant_id = a.from_tenant_id AND id = p_id AND state = 'sent'
    RETURNING * INTO t;
    IF NOT FOUND THEN
        SELECT state INTO v_found FROM transfer_arrival WHERE tenant_id = p_tenant AND id = p_id;
        RETURN v_found;
    END IF;
    IF p_state = 'accepted' THEN
        v_member := zhibu_member_move(t.tenant_id, t.member_id, a.tenant_id,
            a.to_organization_id, p_new_member, p_id, p_actor_name);
        UPDATE transfer SET new_member_id = v_member
        WHERE tenant_id = t.tenant_id AND id = p_id;
        IF a.from_tenant_id <> a.tenant_id AND a.dues_paid_to IS NOT NULL THEN
            PERFORM zhibu_dues_carry_in(a.tenant_id, v_member, a.dues_paid_to, p_id,
                a.from_tenant_id, p_audit->0);
        END IF;
        p_outbox := (SELECT jsonb_agg(jsonb_set(e, '{payload,member_id}', to_jsonb(v_member)))
            FROM jsonb_array_elements(p_outbox) e);
    END IF;
    UPDATE transfer_arrival SET state = p_state, updated_at = now(), new_member_id = v_member,
        points_carried = CASE WHEN p_state = 'accepted' THEN t.points_carried END
    WHERE tenant_id = p_tenant AND id = p_id AND state = 'sent';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer % arrival is not sent', p_id USING ERRCODE = 'ZB409';
    END IF;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name, reason)
    VALUES (a.tenant_id, zhibu_uuid7(), p_id, 'receiving', v_action, 'sent', p_state,
            v_actor, p_actor_name, p_reason),
           (t.tenant_id, zhibu_uuid7(), p_id, 'sending', v_action, 'sent', p_state,
            v_actor, p_actor_name, p_reason);
    PERFORM zhibu_write_audit_events(p_audit);
    PERFORM zhibu_write_outbox_events(p_outbox);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.tenant_id, 'id', zhibu_uuid7(),
        'actor_id', p_audit->0->'actor_id', 'actor_name', p_audit->0->'actor_name',
        'client_addr', p_audit->0->'client_addr', 'request_id', p_audit->0->'request_id',
        'action', 'transfer.' || p_state, 'resource_type', 'transfer', 'resource_id', p_id,
        'outcome', 'success',
        'detail', jsonb_build_object('by_tenant_id', a.tenant_id, 'reason', p_reason))));
    RETURN p_state;
END
$$;
"""


def upgrade() -> None:
    op.execute(UUID7)
    op.execute(CARRY_IN)
    op.execute(ADVANCE)
    op.execute(ANSWER)


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    before = _migration("0057")
    op.execute(before.CARRY_IN)
    op.execute(before.ANSWER)
    op.execute(_migration("0054").ADVANCE)
    op.execute("DROP FUNCTION zhibu_uuid7()")
