"""Member registry: members, their global 身份证号 directory, and versioned history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # 党员: one row per member. 身份证号 and phone are AEAD ciphertexts with a blind index
    # (HMAC) for exact lookups and a masked copy for lists.
    """
    CREATE TABLE member (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        user_id uuid,
        name text COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
        name_pinyin text COLLATE "C" NOT NULL DEFAULT '',
        name_initials text COLLATE "C" NOT NULL DEFAULT '',
        gender text NOT NULL CHECK (gender IN ('male', 'female')),
        ethnicity text,
        birth_date date NOT NULL,
        id_number_enc bytea NOT NULL,
        id_number_bidx bytea NOT NULL,
        id_number_masked text NOT NULL,
        phone_enc bytea,
        phone_bidx bytea,
        phone_masked text,
        education text,
        work_unit text,
        post text,
        status text NOT NULL
            CHECK (status IN ('probationary', 'full', 'suspended', 'removed')),
        status_reason text,
        admitted_on date NOT NULL,
        full_member_on date,
        member_class text NOT NULL DEFAULT 'ordinary'
            CHECK (member_class IN ('backbone', 'ordinary', 'mobile', 'special')),
        mobile jsonb,
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    # Every list and search of the registry is index-backed. Under FORCE RLS only leakproof
    # operators can become index conditions, and LIKE is not one: prefix searches are
    # written as ranges (>= and <, leakproof), so names and pinyin keys use the "C"
    # collation. Sort indexes carry no tenant_id prefix, so a province-wide page walks one
    # index in order; they INCLUDE tenant_id (the RLS check) and the usual filters so the
    # walk, and the key columns of a page, are read index-only (infra/members/queries.py
    # reads a page's keys first and its 51 rows last). Initials and name prefixes are keyed
    # (prefix, name_pinyin, id): their matches are collected and sorted from the index.
    # The subtree index ends in the list order, for a subtree's sort without the heap.
    """
    CREATE INDEX member_org ON member (tenant_id, organization_id, status, name_pinyin, id)
        INCLUDE (admitted_on)
    """,
    "CREATE UNIQUE INDEX member_id ON member (id) INCLUDE (tenant_id)",
    "CREATE INDEX member_id_bidx ON member (id_number_bidx)",
    "CREATE INDEX member_phone_bidx ON member (phone_bidx) WHERE phone_bidx IS NOT NULL",
    """
    CREATE INDEX member_name ON member (name, name_pinyin, id)
        INCLUDE (tenant_id, organization_id, status)
    """,
    """
    CREATE INDEX member_pinyin ON member (name_pinyin, id)
        INCLUDE (tenant_id, organization_id, status)
    """,
    """
    CREATE INDEX member_initials ON member (name_initials, name_pinyin, id)
        INCLUDE (tenant_id, organization_id, status)
    """,
    "CREATE INDEX member_admitted ON member (admitted_on, id) INCLUDE (tenant_id)",
    "CREATE UNIQUE INDEX member_user ON member (tenant_id, user_id) WHERE user_id IS NOT NULL",
    *tenant_table_rls("member"),
    # 身份证号 is unique across the platform; the directory holds only the blind index.
    """
    CREATE TABLE member_identity (
        id_number_bidx bytea PRIMARY KEY,
        tenant_id uuid NOT NULL,
        member_id uuid NOT NULL,
        FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)
    )
    """,
    *tenant_table_rls("member_identity", grants="SELECT, INSERT, UPDATE"),
    """
    CREATE FUNCTION zhibu_member_identity_owner(p_bidx bytea)
    RETURNS TABLE (tenant_id uuid, member_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT tenant_id, member_id FROM member_identity WHERE id_number_bidx = p_bidx
    $$
    """,
    "GRANT EXECUTE ON FUNCTION zhibu_member_identity_owner(bytea) TO zhibu_app",
    # Every change to a member record, kept forever.
    """
    CREATE TABLE member_history (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        version integer NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by uuid,
        changed_by_name text,
        action text NOT NULL,
        changes jsonb NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)
    )
    """,
    "CREATE INDEX member_history_member ON member_history (tenant_id, member_id, version)",
    *tenant_table_rls("member_history", grants="SELECT, INSERT"),
    # Committee posts and user accounts can point at the member who holds them.
    "ALTER TABLE committee_post ADD COLUMN member_id uuid",
    """
    ALTER TABLE committee_post ADD FOREIGN KEY (tenant_id, member_id)
        REFERENCES member (tenant_id, id)
    """,
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("ALTER TABLE committee_post DROP COLUMN IF EXISTS member_id")
    op.execute("DROP FUNCTION IF EXISTS zhibu_member_identity_owner(bytea)")
    for table in ("member_history", "member_identity", "member"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
