"""Membership transfers (组织关系转接, issue 16): the sending tenant's `transfer`, the
receiving tenant's `transfer_arrival`, each side's append-only `transfer_step`, the
letter numbers' sequence, the doors across tenants (README "Transfers"), and the
流动党员活动证 (`mobile_certificate`, numbered from a sequence of its own).

Every table is a tenant table (tenant_id in the primary key, FORCE'd row-level security,
distributed by tenant_id with member on Citus). The app role may only read arrivals (the
doors write them) and only insert and read steps. One open transfer per member is a
partial unique index. The member registry gets the status `transferred_out` and its move
function, executable only by the owner (the answer door calls it); tenancy gets the
published branch directory. The function texts are frozen copies of their files.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

OPEN = "('draft', 'pending_approval', 'sent', 'returned')"
STATES = (
    "('draft', 'pending_approval', 'sent', 'accepted', 'returned', 'rejected', 'cancelled',"
    " 'expired')"
)
KINDS = "('within_tenant', 'across_tenants', 'outside_platform')"
REASONS = "('work_change', 'residence_change', 'study', 'other')"

TABLES = {
    "transfer": (
        f"""
    CREATE TABLE transfer (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN {KINDS}),
        reason text NOT NULL CHECK (reason IN {REASONS}),
        reason_note text CHECK (length(reason_note) <= 500),
        state text NOT NULL CHECK (state IN {STATES}),
        from_organization_id uuid NOT NULL,
        from_tenant_name text NOT NULL,
        from_organization_name text NOT NULL,
        to_tenant_id uuid,  -- another tenant's id: no key across tenants
        to_organization_id uuid,
        to_tenant_name text,
        to_organization_name text NOT NULL CHECK (length(to_organization_name) BETWEEN 1 AND 200),
        approvals_required integer NOT NULL CHECK (approvals_required BETWEEN 0 AND 5),
        approvals_done integer NOT NULL DEFAULT 0 CHECK (approvals_done >= 0),
        started_by uuid NOT NULL,
        started_by_name text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        closed_at timestamptz,
        hold jsonb,
        letter_number bigint,
        letter_issued_on date,
        validity_days integer NOT NULL CHECK (validity_days BETWEEN 1 AND 180),
        expires_at timestamptz,
        member_name text NOT NULL,
        member_gender text NOT NULL,
        member_birth_date date NOT NULL,
        member_ethnicity text,
        member_status text NOT NULL,
        member_id_number_enc bytea NOT NULL,
        member_id_number_masked text NOT NULL,
        member_phone_enc bytea,
        member_phone_masked text,
        dues_paid_to date,
        points_carried integer,
        sender_contact jsonb,
        receipt_note text,
        new_member_id uuid,
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, letter_number),  -- numbers come from one sequence
        CHECK ((kind = 'outside_platform') = (to_tenant_id IS NULL)),
        CHECK (state IN ('draft', 'pending_approval') OR letter_number IS NOT NULL
               OR state IN ('cancelled', 'rejected'))
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "transfer_arrival": (
        f"""
    CREATE TABLE transfer_arrival (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        from_tenant_id uuid NOT NULL,  -- another tenant's id: no key across tenants
        from_tenant_name text NOT NULL,
        from_organization_name text NOT NULL,
        to_organization_id uuid NOT NULL,
        to_organization_name text NOT NULL,
        kind text NOT NULL CHECK (kind IN {KINDS}),
        reason text NOT NULL CHECK (reason IN {REASONS}),
        state text NOT NULL CHECK (state IN {STATES}),
        letter_number bigint NOT NULL,
        letter_issued_on date NOT NULL,
        validity_days integer NOT NULL,
        expires_at timestamptz NOT NULL,
        member_name text NOT NULL,
        member_gender text NOT NULL,
        member_birth_date date NOT NULL,
        member_ethnicity text,
        member_status text NOT NULL,
        member_id_number_masked text NOT NULL,
        member_phone_masked text,
        dues_paid_to date,
        points_carried integer,
        new_member_id uuid,
        sent_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT",
    ),
    "transfer_step": (
        f"""
    CREATE TABLE transfer_step (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        transfer_id uuid NOT NULL,
        side text NOT NULL CHECK (side IN ('sending', 'receiving')),
        action text NOT NULL CHECK (action IN ('start', 'submit', 'approve', 'reject',
            'deliver', 'accept', 'return', 'cancel', 'expire', 'receipt')),
        from_state text CHECK (from_state IN {STATES}),
        to_state text NOT NULL CHECK (to_state IN {STATES}),
        level integer,
        actor_id uuid,  -- may be the other side's account: no key
        actor_name text,
        reason text CHECK (length(reason) <= 500),
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT",
    ),
    "mobile_certificate": (
        """
    CREATE TABLE mobile_certificate (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        number bigint NOT NULL,
        host_tenant_id uuid,  -- another tenant's id: no key across tenants
        host_organization_id uuid,
        host_organization_name text NOT NULL
            CHECK (length(host_organization_name) BETWEEN 1 AND 200),
        valid_from date NOT NULL,
        valid_until date NOT NULL CHECK (valid_until >= valid_from),
        reason text CHECK (length(reason) <= 500),
        state text NOT NULL CHECK (state IN ('issued', 'closed')),
        issued_by uuid NOT NULL,
        issued_by_name text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        closed_by_name text,
        closed_at timestamptz,
        close_note text CHECK (length(close_note) <= 500),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, number)  -- numbers come from one sequence
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
}

TENANT_KEY = "FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
FOREIGN_KEYS = {
    "transfer": [
        TENANT_KEY,
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
        "FOREIGN KEY (tenant_id, from_organization_id) REFERENCES organization (tenant_id, id)",
    ],
    "transfer_arrival": [
        TENANT_KEY,
        "FOREIGN KEY (tenant_id, to_organization_id) REFERENCES organization (tenant_id, id)",
    ],
    "transfer_step": [TENANT_KEY],
    "mobile_certificate": [
        TENANT_KEY,
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)",
    ],
}

INDEXES = [
    "CREATE UNIQUE INDEX transfer_one_open ON transfer (tenant_id, member_id)"
    f" WHERE state IN {OPEN}",
    "CREATE INDEX transfer_state ON transfer (tenant_id, state, updated_at)",
    "CREATE INDEX transfer_expiring ON transfer (expires_at) WHERE state = 'sent'",
    "CREATE INDEX transfer_from_org ON transfer (tenant_id, from_organization_id, state)",
    "CREATE INDEX transfer_arrival_state ON transfer_arrival (tenant_id, state, updated_at)",
    "CREATE INDEX transfer_arrival_org ON transfer_arrival (tenant_id, to_organization_id, state)",
    "CREATE INDEX transfer_step_transfer ON transfer_step (tenant_id, transfer_id, at)",
    "CREATE UNIQUE INDEX mobile_certificate_one_open ON mobile_certificate (tenant_id, member_id)"
    " WHERE state = 'issued'",
]

# two statements: Citus refuses ADD CONSTRAINT beside another subcommand
DROP_MEMBER_STATUS = "ALTER TABLE member DROP CONSTRAINT member_status_check"
MEMBER_STATUS = (
    "ALTER TABLE member ADD CONSTRAINT member_status_check"
    " CHECK (status IN ('probationary', 'full', 'suspended', 'removed', {extra}))"
)

# infra/tenancy/sql/zhibu_branch_directory.sql
DIRECTORY = """
CREATE OR REPLACE FUNCTION zhibu_branch_directory(
    p_tenant_code text, p_organization uuid, p_name text, p_limit integer
) RETURNS TABLE(
    tenant_id uuid, tenant_name text, tenant_code text, organization_id uuid,
    organization_name text, organization_kind text
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF cardinality(zhibu_scope_tenant_ids()) = 0
        OR (p_tenant_code IS NULL AND p_organization IS NULL) THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT t.id, t.name, t.code, o.id, o.name, o.kind
        FROM tenant t JOIN organization o ON o.tenant_id = t.id
        WHERE (p_tenant_code IS NULL OR t.code = p_tenant_code)
          AND (p_organization IS NULL OR o.id = p_organization)
          AND (p_name IS NULL OR strpos(o.name, p_name) > 0)
          AND o.kind IN ('branch', 'temporary_branch')
          AND (o.end_date IS NULL OR o.end_date >= current_date)
        ORDER BY o.name, o.id
        LIMIT least(greatest(p_limit, 1), 50);
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
    INSERT INTO member_history (tenant_id, id, member_id, version, changed_at, changed_by,
        changed_by_name, action, changes)
    SELECT p_to_tenant, gen_random_uuid(), p_new_member, h.version, h.changed_at,
        h.changed_by, h.changed_by_name, h.action, h.changes
    FROM member_history h WHERE h.tenant_id = p_from_tenant AND h.member_id = p_member;
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

# infra/transfers/sql/zhibu_transfer_deliver.sql
DELIVER = """
CREATE OR REPLACE FUNCTION zhibu_transfer_deliver(p_tenant uuid, p_id uuid, p_actor_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t transfer%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN false;
    END IF;
    SELECT * INTO t FROM transfer WHERE tenant_id = p_tenant AND id = p_id AND state = 'sent';
    IF NOT FOUND OR t.to_tenant_id IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO transfer_arrival (tenant_id, id, from_tenant_id, from_tenant_name,
        from_organization_name, to_organization_id, to_organization_name, kind, reason, state,
        letter_number, letter_issued_on, validity_days, expires_at, member_name,
        member_gender, member_birth_date, member_ethnicity, member_status,
        member_id_number_masked, member_phone_masked, dues_paid_to, sent_at, updated_at)
    VALUES (t.to_tenant_id, t.id, t.tenant_id, t.from_tenant_name, t.from_organization_name,
        t.to_organization_id, t.to_organization_name, t.kind, t.reason, 'sent',
        t.letter_number, t.letter_issued_on, t.validity_days, t.expires_at, t.member_name,
        t.member_gender, t.member_birth_date, t.member_ethnicity, t.member_status,
        t.member_id_number_masked, t.member_phone_masked, t.dues_paid_to, t.sent_at, now())
    ON CONFLICT (tenant_id, id) DO UPDATE SET state = 'sent',
        letter_issued_on = EXCLUDED.letter_issued_on, expires_at = EXCLUDED.expires_at,
        member_status = EXCLUDED.member_status, dues_paid_to = EXCLUDED.dues_paid_to,
        sent_at = EXCLUDED.sent_at, updated_at = EXCLUDED.updated_at;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name)
    VALUES (t.to_tenant_id, gen_random_uuid(), t.id, 'receiving', 'deliver', NULL, 'sent',
        v_actor, p_actor_name);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', gen_random_uuid(), 'actor_id', v_actor,
        'actor_name', p_actor_name, 'action', 'transfer.arrived', 'resource_type', 'transfer',
        'resource_id', t.id, 'outcome', 'success',
        'detail', jsonb_build_object('from_tenant_id', t.tenant_id,
                                     'letter_number', t.letter_number))));
    RETURN true;
END
$$;
"""

# infra/transfers/sql/zhibu_transfer_answer.sql
ANSWER = """
CREATE OR REPLACE FUNCTION zhibu_transfer_answer(
    p_tenant uuid, p_id uuid, p_state text, p_reason text, p_actor_name text,
    p_new_member uuid
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a transfer_arrival%ROWTYPE;
    t transfer%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
    v_action text := CASE p_state WHEN 'accepted' THEN 'accept' ELSE 'return' END;
    v_member uuid;
BEGIN
    IF p_state NOT IN ('accepted', 'returned')
        OR NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN false;
    END IF;
    SELECT * INTO a FROM transfer_arrival WHERE tenant_id = p_tenant AND id = p_id;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE transfer SET state = p_state, updated_at = now(), version = version + 1,
        closed_at = CASE WHEN p_state = 'accepted' THEN now() END
    WHERE tenant_id = a.from_tenant_id AND id = p_id AND state = 'sent'
    RETURNING * INTO t;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF p_state = 'accepted' THEN
        v_member := zhibu_member_move(t.tenant_id, t.member_id, a.tenant_id,
            a.to_organization_id, p_new_member, p_id, p_actor_name);
        UPDATE transfer SET new_member_id = v_member
        WHERE tenant_id = t.tenant_id AND id = p_id;
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
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.tenant_id, 'id', gen_random_uuid(), 'actor_id', v_actor,
        'actor_name', p_actor_name, 'action', 'transfer.' || p_state,
        'resource_type', 'transfer', 'resource_id', p_id, 'outcome', 'success',
        'detail', jsonb_build_object('by_tenant_id', a.tenant_id, 'reason', p_reason))));
    RETURN true;
END
$$;
"""

# infra/transfers/sql/zhibu_transfer_withdraw.sql
WITHDRAW = """
CREATE OR REPLACE FUNCTION zhibu_transfer_withdraw(
    p_tenant uuid, p_id uuid, p_reason text, p_actor_name text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t transfer%ROWTYPE;
    v_from text;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN false;
    END IF;
    SELECT * INTO t FROM transfer
    WHERE tenant_id = p_tenant AND id = p_id AND state IN ('cancelled', 'expired');
    IF NOT FOUND OR t.to_tenant_id IS NULL THEN
        RETURN false;
    END IF;
    SELECT state INTO v_from FROM transfer_arrival
    WHERE tenant_id = t.to_tenant_id AND id = p_id AND state IN ('sent', 'returned')
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE transfer_arrival SET state = t.state, updated_at = now()
    WHERE tenant_id = t.to_tenant_id AND id = p_id;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name, reason)
    VALUES (t.to_tenant_id, gen_random_uuid(), p_id, 'receiving',
        CASE t.state WHEN 'cancelled' THEN 'cancel' ELSE 'expire' END, v_from, t.state,
        v_actor, p_actor_name, p_reason);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', gen_random_uuid(), 'actor_id', v_actor,
        'actor_name', p_actor_name, 'action', 'transfer.' || t.state,
        'resource_type', 'transfer', 'resource_id', p_id, 'outcome', 'success',
        'detail', jsonb_build_object('from_tenant_id', t.tenant_id))));
    RETURN true;
END
$$;
"""


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    op.execute(DROP_MEMBER_STATUS)
    op.execute(MEMBER_STATUS.format(extra="'transferred_out'"))
    for table, (create, grants) in TABLES.items():
        op.execute(create)
        for statement in tenant_table_rls(table, grants=grants):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")
    for index in INDEXES:
        op.execute(index)
    op.execute("CREATE SEQUENCE transfer_letter_number START 1")
    op.execute("GRANT USAGE ON SEQUENCE transfer_letter_number TO zhibu_app")
    op.execute("CREATE SEQUENCE mobile_certificate_number START 1")
    op.execute("GRANT USAGE ON SEQUENCE mobile_certificate_number TO zhibu_app")
    op.execute(DIRECTORY)
    op.execute(MEMBER_MOVE)
    op.execute(DELIVER)
    op.execute(ANSWER)
    op.execute(WITHDRAW)
    for signature in SIGNATURES.values():
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    for name in ("directory", "deliver", "answer", "withdraw"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURES[name]} TO zhibu_app")


SIGNATURES = {
    "directory": "zhibu_branch_directory(text, uuid, text, integer)",
    "move": "zhibu_member_move(uuid, uuid, uuid, uuid, uuid, uuid, text)",
    "deliver": "zhibu_transfer_deliver(uuid, uuid, text)",
    "answer": "zhibu_transfer_answer(uuid, uuid, text, text, text, uuid)",
    "withdraw": "zhibu_transfer_withdraw(uuid, uuid, text, text)",
}


def downgrade() -> None:
    for signature in reversed(SIGNATURES.values()):
        op.execute(f"DROP FUNCTION {signature}")
    op.execute("DROP SEQUENCE mobile_certificate_number")
    op.execute("DROP SEQUENCE transfer_letter_number")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
    op.execute("UPDATE member SET status = 'removed' WHERE status = 'transferred_out'")
    op.execute(DROP_MEMBER_STATUS)
    op.execute(MEMBER_STATUS.format(extra="'removed'"))
