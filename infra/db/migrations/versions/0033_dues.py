"""Online dues (网上收缴党费, issue 15 items 1–3): standards, dues bases, reliefs,
back-payment exceptions, bills and the append-only dues ledger.

Every table is a tenant table (tenant_id in the primary key and every foreign key, FORCE'd
row level security), distributed by tenant_id with member on Citus. Standard versions and
ledger entries are never changed: the app role may only insert and read them. A bill is
unique per (tenant, member, month), which makes a bill run idempotent. The standards of a
tenant's ancestors are read through `zhibu_dues_standards_chain`, which asks tenancy's new
`zhibu_tenant_ancestors` for the chain (frozen copies of
`infra/dues/sql/zhibu_dues_standards_chain.sql` and `infra/tenancy/sql/zhibu_tenant_ancestors.sql`).

Revision ID: 0033
Revises: 0034
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0033"
down_revision = "0034"
branch_labels = None
depends_on = None

CATEGORY = "('employed', 'retired', 'farmer', 'student', 'unemployed', 'subsistence')"

TABLES = {
    "dues_standard": (
        """
    CREATE TABLE dues_standard (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        effective_from date NOT NULL,
        rules jsonb NOT NULL,
        created_by uuid NOT NULL,  -- may be a superior tenant's administrator: no key
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, effective_from)
    )
    """,
        "SELECT, INSERT",
    ),
    "dues_base": (
        f"""
    CREATE TABLE dues_base (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,  -- where the member was when it was declared
        category text NOT NULL CHECK (category IN {CATEGORY}),
        income_kind text CHECK (
            income_kind IN ('salary', 'annual_salary', 'self_employed', 'pension')),
        monthly_income_fen bigint CHECK (monthly_income_fen >= 0),
        effective_from date NOT NULL CHECK (extract(day FROM effective_from) = 1),
        status text NOT NULL CHECK (status IN ('declared', 'approved', 'rejected')),
        note text,
        declared_by uuid NOT NULL,
        declared_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid,
        decided_at timestamptz,
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_relief": (
        """
    CREATE TABLE dues_relief (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('reduction', 'exemption')),
        monthly_amount_fen bigint CHECK (monthly_amount_fen >= 0),
        from_month date NOT NULL CHECK (extract(day FROM from_month) = 1),
        to_month date NOT NULL CHECK (extract(day FROM to_month) = 1),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        status text NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected')),
        proposed_by uuid NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid,
        decided_at timestamptz,
        decision_note text,
        PRIMARY KEY (tenant_id, id),
        CHECK (to_month >= from_month)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_back_payment_exception": (
        """
    CREATE TABLE dues_back_payment_exception (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        from_month date NOT NULL CHECK (extract(day FROM from_month) = 1),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT",
    ),
    "dues_bill": (
        """
    CREATE TABLE dues_bill (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        standard_fen bigint NOT NULL CHECK (standard_fen >= 0),
        amount_fen bigint NOT NULL CHECK (amount_fen >= 0 AND amount_fen <= standard_fen),
        status text NOT NULL CHECK (status IN ('unpaid', 'paid', 'exempted')),
        back_payment boolean NOT NULL,
        rule jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, member_id, month)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_ledger_entry": (
        """
    CREATE TABLE dues_ledger_entry (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        bill_id uuid,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        kind text NOT NULL CHECK (
            kind IN ('charge', 'payment', 'refund', 'exemption', 'back_payment')),
        amount_fen bigint NOT NULL,
        recorded_by uuid,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT",
    ),
}

MEMBER_KEY = "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)"
ORG_KEY = "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)"
TENANT_KEY = "FOREIGN KEY (tenant_id) REFERENCES tenant (id)"

# Added once the table is distributed: Citus refuses a local table's keys to distributed
# or reference tables.
FOREIGN_KEYS = {
    "dues_standard": [TENANT_KEY],
    "dues_base": [TENANT_KEY, MEMBER_KEY, ORG_KEY],
    "dues_relief": [TENANT_KEY, MEMBER_KEY, ORG_KEY],
    "dues_back_payment_exception": [TENANT_KEY, MEMBER_KEY],
    "dues_bill": [TENANT_KEY, MEMBER_KEY, ORG_KEY],
    "dues_ledger_entry": [
        TENANT_KEY,
        MEMBER_KEY,
        ORG_KEY,
        "FOREIGN KEY (tenant_id, bill_id) REFERENCES dues_bill (tenant_id, id)",
    ],
}

INDEXES = [
    "CREATE INDEX dues_base_member ON dues_base (tenant_id, member_id, effective_from)",
    "CREATE INDEX dues_relief_member ON dues_relief (tenant_id, member_id, from_month)",
    "CREATE INDEX dues_back_payment_exception_member"
    " ON dues_back_payment_exception (tenant_id, member_id)",
    "CREATE INDEX dues_bill_organization ON dues_bill (tenant_id, organization_id, month)",
    "CREATE INDEX dues_bill_month ON dues_bill (tenant_id, month)",
    "CREATE INDEX dues_ledger_entry_member ON dues_ledger_entry (tenant_id, member_id, month)",
    "CREATE INDEX dues_ledger_entry_bill ON dues_ledger_entry (tenant_id, bill_id)",
]

# infra/tenancy/sql/zhibu_tenant_ancestors.sql
TENANT_ANCESTORS = """
CREATE OR REPLACE FUNCTION zhibu_tenant_ancestors(p_tenant uuid)
RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN NULL;
    END IF;
    RETURN (
        SELECT array_agg(a.id ORDER BY nlevel(a.path) DESC)
        FROM tenant t JOIN tenant a ON t.path <@ a.path
        WHERE t.id = p_tenant
    );
END
$$;
"""

# infra/dues/sql/zhibu_dues_standards_chain.sql
STANDARDS_CHAIN = """
CREATE OR REPLACE FUNCTION zhibu_dues_standards_chain(p_tenant uuid)
RETURNS TABLE(
    depth integer, standard_tenant uuid, standard_id uuid, standard_name text,
    standard_from date, standard_rules jsonb
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_chain uuid[] := zhibu_tenant_ancestors(p_tenant);
BEGIN
    IF v_chain IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT array_position(v_chain, s.tenant_id), s.tenant_id, s.id, s.name,
               s.effective_from, s.rules
        FROM dues_standard s
        WHERE s.tenant_id = ANY (v_chain)
        ORDER BY 1, s.effective_from, s.id;
END
$$;
"""


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    # One table at a time, distributed before it gets its keys and before another
    # table references it.
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
    op.execute(TENANT_ANCESTORS)
    op.execute("REVOKE ALL ON FUNCTION zhibu_tenant_ancestors(uuid) FROM PUBLIC")
    op.execute(STANDARDS_CHAIN)
    op.execute("REVOKE ALL ON FUNCTION zhibu_dues_standards_chain(uuid) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_dues_standards_chain(uuid) TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_dues_standards_chain(uuid)")
    op.execute("DROP FUNCTION zhibu_tenant_ancestors(uuid)")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
