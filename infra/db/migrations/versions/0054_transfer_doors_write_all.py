"""The transfer doors write the whole step themselves (issue 16, README "Transfers"), so
that the app role writes nothing in a transaction that passes one: Citus refuses writes of
two roles in one distributed transaction. `zhibu_transfer_advance` replaces the deliver
and withdraw doors and also writes the sending row's transition, its step and the audit
and outbox rows of the transaction; `zhibu_transfer_answer` now writes the receiving
side's audit and outbox rows too; the members context's `zhibu_member_move` copies the
history row by row (Citus refuses the INSERT … SELECT it made). The function texts are
frozen copies of their files.

Revision ID: 0054
Revises: 0041
Create Date: 2026-12-02
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0054"
down_revision = "0041"
branch_labels = None
depends_on = None

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
    VALUES (t.to_tenant_id, gen_random_uuid(), t.id, 'receiving', v_action, v_found, t.state,
        s.actor_id, s.actor_name, v_reason, s.at);
    PERFORM zhibu_write_audit_events(jsonb_build_array(v_actor || jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', gen_random_uuid(),
        'action', v_audit, 'resource_type', 'transfer', 'resource_id', t.id, 'outcome', 'success',
        'detail', jsonb_strip_nulls(jsonb_build_object('from_tenant_id', t.tenant_id,
            'letter_number', CASE WHEN t.state = 'sent' THEN t.letter_number END)))));
    RETURN t.state;
END
$$;
"""

# infra/members/sql/zhibu_member_move.sql
MEMBER_MOVE = """
CREATE OR REPLACE FUNCTION zhibu_member_move(
    p_from_tenant uuid, p_member uuid, p_to_tenant uuid, p_to_org uuid, p_new_member uuid,
    p_transfer uuid, p_actor_name text
) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m member%ROWTYPE;
    h member_history%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    SELECT * INTO m FROM member WHERE tenant_id = p_from_tenant AND id = p_member FOR UPDATE;
    IF NOT FOUND OR m.status NOT IN ('probationary', 'full') THEN
        RAISE EXCEPTION 'member % cannot move', p_member USING ERRCODE = 'ZB409';
    END IF;
    IF p_from_tenant = p_to_tenant THEN
        UPDATE member SET organization_id = p_to_org, updated_at = now(),
            version = version + 1
        WHERE tenant_id = p_from_tenant AND id = p_member;
        INSERT INTO member_history (tenant_id, id, member_id, version, changed_by,
            changed_by_name, action, changes)
        VALUES (p_from_tenant, gen_random_uuid(), p_member, m.version + 1, v_actor,
            p_actor_name, 'transfer', jsonb_build_object(
                'organization_id', jsonb_build_object('old', m.organization_id, 'new', p_to_org),
                'transfer_id', jsonb_build_object('old', NULL, 'new', p_transfer)));
        RETURN p_member;
    END IF;
    INSERT INTO member (tenant_id, id, organization_id, user_id, name, name_pinyin,
        name_initials, gender, ethnicity, birth_date, id_number_enc, id_number_bidx,
        id_number_masked, phone_enc, phone_bidx, phone_masked, education, work_unit, post,
        status, admitted_on, full_member_on, member_class, mobile, tags, version)
    VALUES (p_to_tenant, p_new_member, p_to_org, NULL, m.name, m.name_pinyin,
        m.name_initials, m.gender, m.ethnicity, m.birth_date, m.id_number_enc,
        m.id_number_bidx, m.id_number_masked, m.phone_enc, m.phone_bidx, m.phone_masked,
        m.education, m.work_unit, m.post, m.status, m.admitted_on, m.full_member_on,
        m.member_class, m.mobile, m.tags, m.version + 1);
    FOR h IN SELECT * FROM member_history
        WHERE tenant_id = p_from_tenant AND member_id = p_member LOOP
        INSERT INTO member_history (tenant_id, id, member_id, version, changed_at,
            changed_by, changed_by_name, action, changes)
        VALUES (p_to_tenant, gen_random_uuid(), p_new_member, h.version, h.changed_at,
            h.changed_by, h.changed_by_name, h.action, h.changes);
    END LOOP;
    INSERT INTO member_history (tenant_id, id, member_id, version, changed_by,
        changed_by_name, action, changes)
    VALUES (p_to_tenant, gen_random_uuid(), p_new_member, m.version + 1, v_actor,
        p_actor_name, 'transfer_in', jsonb_build_object(
            'tenant_id', jsonb_build_object('old', p_from_tenant, 'new', p_to_tenant),
            'id', jsonb_build_object('old', p_member, 'new', p_new_member),
            'organization_id', jsonb_build_object('old', m.organization_id, 'new', p_to_org),
            'transfer_id', jsonb_build_object('old', NULL, 'new', p_transfer))),
           (p_from_tenant, gen_random_uuid(), p_member, m.version + 1, v_actor,
        p_actor_name, 'transfer_out', jsonb_build_object(
            'status', jsonb_build_object('old', m.status, 'new', 'transferred_out'),
            'tenant_id', jsonb_build_object('old', p_from_tenant, 'new', p_to_tenant),
            'transfer_id', jsonb_build_object('old', NULL, 'new', p_transfer)));
    UPDATE member SET status = 'transferred_out', status_reason = '组织关系已转出',
        updated_at = now(), version = version + 1
    WHERE tenant_id = p_from_tenant AND id = p_member;
    UPDATE member_identity SET tenant_id = p_to_tenant, member_id = p_new_member
    WHERE id_number_bidx = m.id_number_bidx;
    RETURN p_new_member;
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
    VALUES (a.tenant_id, gen_random_uuid(), p_id, 'receiving', v_action, 'sent', p_state,
            v_actor, p_actor_name, p_reason),
           (t.tenant_id, gen_random_uuid(), p_id, 'sending', v_action, 'sent', p_state,
            v_actor, p_actor_name, p_reason);
    PERFORM zhibu_write_audit_events(p_audit);
    PERFORM zhibu_write_outbox_events(p_outbox);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.tenant_id, 'id', gen_random_uuid(),
        'actor_id', p_audit->0->'actor_id', 'actor_name', p_audit->0->'actor_name',
        'client_addr', p_audit->0->'client_addr', 'request_id', p_audit->0->'request_id',
        'action', 'transfer.' || p_state, 'resource_type', 'transfer', 'resource_id', p_id,
        'outcome', 'success',
        'detail', jsonb_build_object('by_tenant_id', a.tenant_id, 'reason', p_reason))));
    RETURN p_state;
END
$$;
"""

OLD = {
    "deliver": "zhibu_transfer_deliver(uuid, uuid, text)",
    "answer": "zhibu_transfer_answer(uuid, uuid, text, text, text, uuid)",
    "withdraw": "zhibu_transfer_withdraw(uuid, uuid, text, text)",
}
NEW = {
    "advance": "zhibu_transfer_advance(uuid, text, jsonb, jsonb, jsonb, jsonb)",
    "answer": "zhibu_transfer_answer(uuid, uuid, text, text, text, uuid, jsonb, jsonb)",
}


def upgrade() -> None:
    for signature in OLD.values():
        op.execute(f"DROP FUNCTION {signature}")
    op.execute(MEMBER_MOVE)
    op.execute(ADVANCE)
    op.execute(ANSWER)
    for signature in NEW.values():
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO zhibu_app")


def _migration_0046() -> ModuleType:
    """The doors as 0046 created them, for the downgrade."""
    path = next(Path(__file__).parent.glob("0046_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0046", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    for signature in NEW.values():
        op.execute(f"DROP FUNCTION {signature}")
    old = _migration_0046()
    for text in (old.MEMBER_MOVE, old.DELIVER, old.ANSWER, old.WITHDRAW):
        op.execute(text)
    for signature in OLD.values():
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO zhibu_app")
