"""Points (积分, issue 14 items 1-3): rule versions, member profiles, the append-only
ledger, balances per member and period, manual awards.

Tenant tables (tenant_id in the primary key and every foreign key, FORCE'd row-level
security, distributed with member on Citus; rule versions a reference table there). The
ledger is append-only for the API: the app role may read and insert `point_entry`, never
update or delete it; corrections are reversing entries. `zhibu_point_rule_versions`
(points) and `zhibu_tenant_ancestor_ids` (tenancy, so that points names no tenancy table)
are frozen copies of their files; both PL/pgSQL, one text for PostgreSQL and Citus.

Revision ID: 0030
Revises: 0026
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import CITUS_SCOPE_PREDICATE, IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0030"
down_revision = "0026"
branch_labels = None
depends_on = None

TABLES = {
    "point_rule_version": (
        """
    CREATE TABLE point_rule_version (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        effective_from date NOT NULL,
        base_score integer NOT NULL,
        period text NOT NULL CHECK (period IN ('yearly', 'quarterly', 'monthly')),
        classes jsonb NOT NULL,
        items jsonb NOT NULL,
        exclusions jsonb NOT NULL,
        created_by uuid NOT NULL,  -- may be a superior tenant's administrator: no key
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, version),
        UNIQUE (tenant_id, effective_from)
    )
    """,
        "SELECT, INSERT",
    ),
    "point_member_profile": (
        """
    CREATE TABLE point_member_profile (
        tenant_id uuid NOT NULL,
        member_id uuid NOT NULL,
        member_class text,
        conditions text[] NOT NULL DEFAULT '{}',
        updated_by uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, member_id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "point_entry": (
        """
    CREATE TABLE point_entry (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        period text NOT NULL,
        kind text NOT NULL
            CHECK (kind IN ('accrual', 'adjustment', 'reversal', 'award', 'deduction')),
        points integer NOT NULL,
        rule_version_id uuid,  -- no key: the version may be an ancestor tenant's
        rule_version integer,
        item_code text,
        item_points integer,  -- what the item earns uncapped, and its cap, as the version
        item_cap integer,     -- said: caps are re-applied with them on a reversal
        cause_type text NOT NULL CHECK (cause_type IN ('checkin', 'award')),
        cause_id uuid NOT NULL,
        event_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT",
    ),
    "point_balance": (
        """
    CREATE TABLE point_balance (
        tenant_id uuid NOT NULL,
        member_id uuid NOT NULL,
        period text NOT NULL,
        points integer NOT NULL DEFAULT 0,
        entries integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, member_id, period)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "point_award": (
        """
    CREATE TABLE point_award (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        points integer NOT NULL CHECK (points <> 0),
        category text,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        evidence_ids uuid[] NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('proposed', 'approved', 'refused')),
        proposed_by uuid NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text,
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
}

INDEXES = [
    "CREATE INDEX point_entry_group ON point_entry"
    " (tenant_id, member_id, period, rule_version_id, item_code, id)",
    "CREATE INDEX point_entry_cause ON point_entry (tenant_id, cause_id)",
    "CREATE INDEX point_entry_member ON point_entry (tenant_id, member_id, id)",
    # one first booking per record and item: re-processing adds nothing
    "CREATE UNIQUE INDEX point_entry_once ON point_entry"
    " (tenant_id, cause_type, cause_id, rule_version_id, item_code) WHERE kind = 'accrual'",
    "CREATE UNIQUE INDEX point_entry_award_once ON point_entry"
    " (tenant_id, cause_id) WHERE cause_type = 'award'",
    "CREATE INDEX point_award_member ON point_award (tenant_id, member_id, id)",
]

# On Citus, rule versions are a reference table (copied to every node, like `tenant`):
# small configuration that descendants read through `zhibu_point_rule_versions`, a
# definer's function. Sharded with member, that read (as the owner) would touch the
# tenant's placements which the same transaction had already written as the app role (a
# relay handler records the event processed first; an approval updates the award first),
# which Citus refuses ("placements that were modified in this transaction by a different
# user").
REFERENCE = ("point_rule_version",)


def citus_reference_table(table: str) -> list[str]:
    return [
        f"ALTER POLICY {table}_scope ON {table}"
        f" USING ({CITUS_SCOPE_PREDICATE}) WITH CHECK ({CITUS_SCOPE_PREDICATE})",
        f"SELECT create_reference_table('{table}')",
    ]


# Added once the table is distributed: Citus refuses a local table's keys to distributed
# or reference tables.
FOREIGN_KEYS = {
    "point_rule_version": ["FOREIGN KEY (tenant_id) REFERENCES tenant (id)"],
    "point_member_profile": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
    ],
    "point_entry": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
    ],
    "point_balance": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
    ],
    "point_award": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)",
    ],
}

# infra/tenancy/sql/zhibu_tenant_ancestor_ids.sql (tenancy's, asked by points)
ANCESTOR_IDS = """
CREATE OR REPLACE FUNCTION zhibu_tenant_ancestor_ids(p_tenant uuid)
 RETURNS uuid[]
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN ARRAY(
        SELECT a.id FROM tenant t JOIN tenant a ON t.path <@ a.path
        WHERE t.id = p_tenant ORDER BY nlevel(a.path) DESC
    );
END
$function$;
"""

# infra/points/sql/zhibu_point_rule_versions.sql
RULE_VERSIONS = """
CREATE OR REPLACE FUNCTION zhibu_point_rule_versions(p_tenant uuid)
 RETURNS TABLE(
    tenant_id uuid, id uuid, version integer, effective_from date, base_score integer,
    period text, classes jsonb, items jsonb, exclusions jsonb,
    created_at timestamp with time zone
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    a uuid;
BEGIN
    FOREACH a IN ARRAY zhibu_tenant_ancestor_ids(p_tenant) LOOP
        RETURN QUERY
            SELECT v.tenant_id, v.id, v.version, v.effective_from, v.base_score, v.period,
                   v.classes, v.items, v.exclusions, v.created_at
            FROM point_rule_version v WHERE v.tenant_id = a ORDER BY v.version;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$function$;
"""


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    # One table at a time, distributed before it gets its keys and before another
    # table references it.
    for table, (create, grants) in TABLES.items():
        op.execute(create)
        for statement in tenant_table_rls(table, grants=grants):
            op.execute(statement)
        if citus and table in REFERENCE:
            for statement in citus_reference_table(table):
                op.execute(statement)
        elif citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")
    for statement in INDEXES:
        op.execute(statement)
    op.execute(ANCESTOR_IDS)
    op.execute(RULE_VERSIONS)
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_point_rule_versions(uuid) TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_point_rule_versions(uuid)")
    op.execute("DROP FUNCTION zhibu_tenant_ancestor_ids(uuid)")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
