"""The 党费交至 of a transfer across tenants reaches the receiving tenant's dues in the
acceptance's own transaction (issue 16 item 5: the member, their history, dues standing
and point balance move in one transaction), no longer through the relay a moment later:
the answer door calls the dues context's `zhibu_dues_carry_in`. The function texts are
frozen copies of their files.

Revision ID: 0057
Revises: 0047
Create Date: 2026-12-03
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0057"
down_revision = "0047"
branch_labels = None
depends_on = None

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
        'tenant_id', p_tenant, 'id', gen_random_uuid(),
        'actor_id', p_actor->'actor_id', 'actor_name', p_actor->'actor_name',
        'client_addr', p_actor->'client_addr', 'request_id', p_actor->'request_id',
        'action', 'dues.paid_to_carried_in', 'resource_type', 'member', 'resource_id', p_member,
        'outcome', 'success',
        'detail', jsonb_build_object('paid_to', to_char(p_paid_to, 'YYYY-MM'),
                                     'transfer_id', p_transfer))));
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

CARRY_IN_SIGNATURE = "zhibu_dues_carry_in(uuid, uuid, date, uuid, uuid, jsonb)"


def upgrade() -> None:
    op.execute(CARRY_IN)
    op.execute(f"REVOKE ALL ON FUNCTION {CARRY_IN_SIGNATURE} FROM PUBLIC")
    op.execute(ANSWER)


def _migration_0054() -> ModuleType:
    """The answer door as 0054 created it, for the downgrade."""
    path = next(Path(__file__).parent.glob("0054_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0054", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    op.execute(_migration_0054().ANSWER)
    op.execute(f"DROP FUNCTION {CARRY_IN_SIGNATURE}")
