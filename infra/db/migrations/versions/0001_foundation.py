"""Foundation: tenants, organizations, users, sessions, roles, audit, row-level security.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS ltree",
    "REVOKE ALL ON SCHEMA public FROM PUBLIC",
    "GRANT USAGE ON SCHEMA public TO zhibu_app",
    # Tenants: the unit of isolation. Visible when inside the caller's subtree.
    """
    CREATE TABLE tenant (
        id uuid PRIMARY KEY,
        parent_id uuid REFERENCES tenant(id),
        level text NOT NULL CHECK (level IN ('platform', 'province', 'city', 'county')),
        code text NOT NULL UNIQUE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        path ltree NOT NULL UNIQUE,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX tenant_path_gist ON tenant USING gist (path)",
    # The tenants of a subtree. SECURITY DEFINER so it can read the tenant tree itself.
    """
    CREATE FUNCTION zhibu_tenant_ids_under(p_path text) RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT coalesce(array_agg(t.id), '{}'::uuid[]) FROM tenant t
        WHERE t.path <@ nullif(p_path, '')::ltree
    $$
    """,
    # The caller's visible tenants (wrapped in a sub-select by the policies, so evaluated
    # once per statement). The scope statement computes the list once per transaction into
    # `app.tenant_ids`; without it the list comes from `app.tenant_path`; with neither,
    # nothing is visible.
    """
    CREATE FUNCTION zhibu_scope_tenant_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
        SELECT CASE WHEN coalesce(current_setting('app.tenant_ids', true), '') <> ''
                    THEN current_setting('app.tenant_ids', true)::uuid[]
                    ELSE zhibu_tenant_ids_under(current_setting('app.tenant_path', true))
               END
    $$
    """,
    "ALTER TABLE tenant ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE tenant FORCE ROW LEVEL SECURITY",
    "CREATE POLICY tenant_owner ON tenant TO zhibu_owner USING (true) WITH CHECK (true)",
    """
    CREATE POLICY tenant_scope ON tenant TO zhibu_app
    USING (path <@ nullif(current_setting('app.tenant_path', true), '')::ltree)
    WITH CHECK (path <@ nullif(current_setting('app.tenant_path', true), '')::ltree)
    """,
    "GRANT SELECT, INSERT, UPDATE ON tenant TO zhibu_app",
    # Login and refresh need the tenant of a user before any scope exists.
    """
    CREATE FUNCTION zhibu_tenant_path(p_tenant uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT path::text FROM tenant WHERE id = p_tenant
    $$
    """,
    # Settings inherit down the tree, so a tenant reads its ancestors' overrides (only those).
    """
    CREATE FUNCTION zhibu_settings_chain(p_tenant uuid) RETURNS SETOF jsonb
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT a.settings FROM tenant t JOIN tenant a ON t.path <@ a.path
        WHERE t.id = p_tenant ORDER BY nlevel(a.path)
    $$
    """,
    # Organizations: a tree inside a tenant.
    """
    CREATE TABLE organization (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        parent_id uuid,
        kind text NOT NULL CHECK (kind IN ('party_committee', 'general_branch', 'branch',
                                           'party_group', 'temporary_branch')),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        path ltree NOT NULL,
        established_on date,
        end_date date,
        term_start date,
        term_end date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, path),
        FOREIGN KEY (tenant_id, parent_id) REFERENCES organization (tenant_id, id)
    )
    """,
    "CREATE INDEX organization_path_gist ON organization USING gist (path)",
    *tenant_table_rls("organization"),
    # Users: people (and later API clients) who log in.
    """
    CREATE TABLE app_user (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        username text NOT NULL,
        phone text,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        failed_logins integer NOT NULL DEFAULT 0,
        last_failed_login_at timestamptz,
        locked_until timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, username)
    )
    """,
    *tenant_table_rls("app_user"),
    # Committee posts (书记, 副书记, 组织委员, 宣传委员, 纪检委员) with their terms.
    """
    CREATE TABLE committee_post (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        post text NOT NULL CHECK (post IN ('secretary', 'deputy_secretary',
            'organization_officer', 'publicity_officer', 'discipline_officer')),
        holder_name text NOT NULL,
        user_id uuid,
        term_start date NOT NULL,
        term_end date,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    *tenant_table_rls("committee_post", grants="SELECT, INSERT, UPDATE, DELETE"),
    # Login names are unique platform-wide; this directory maps them to a user.
    """
    CREATE TABLE login_identity (
        identifier text PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    *tenant_table_rls("login_identity", grants="SELECT, INSERT, DELETE"),
    """
    CREATE FUNCTION zhibu_login_lookup(p_identifier text)
    RETURNS TABLE (tenant_id uuid, user_id uuid, tenant_path text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT li.tenant_id, li.user_id, t.path::text
        FROM login_identity li JOIN tenant t ON t.id = li.tenant_id
        WHERE li.identifier = p_identifier
    $$
    """,
    # Refresh tokens: one row per issued token; a family is one login session.
    """
    CREATE TABLE refresh_token (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        user_id uuid NOT NULL,
        family_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        issued_at timestamptz NOT NULL,
        idle_expires_at timestamptz NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    "CREATE INDEX refresh_token_family ON refresh_token (tenant_id, family_id)",
    *tenant_table_rls("refresh_token"),
    # Roles a tenant defines beyond the shipped ones, from the permission catalogue.
    """
    CREATE TABLE custom_role (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        name text NOT NULL,
        display_name text NOT NULL,
        permissions text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, name)
    )
    """,
    *tenant_table_rls("custom_role", grants="SELECT, INSERT, UPDATE, DELETE"),
    # Staff role assignments: a role held on a tenant or organization subtree.
    """
    CREATE TABLE role_assignment (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL,
        domain text NOT NULL,
        scope_tenant_id uuid NOT NULL REFERENCES tenant(id),
        organization_id uuid,
        granted_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, user_id, role, domain),
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    *tenant_table_rls("role_assignment", grants="SELECT, INSERT, UPDATE, DELETE"),
    # Everything Casbin needs at start, across all tenants (read by each API worker).
    """
    CREATE FUNCTION zhibu_authz_snapshot()
    RETURNS TABLE (kind text, v0 text, v1 text, v2 text, v3 text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT 'g', 'u:' || ra.user_id::text, ra.role, ra.domain, '' FROM role_assignment ra
        UNION ALL
        SELECT 'p', 'r:' || cr.tenant_id::text || ':' || cr.name, t.path::text, perm, ''
        FROM custom_role cr JOIN tenant t ON t.id = cr.tenant_id, unnest(cr.permissions) perm
    $$
    """,
    # Audit trail: append-only for the app role (no UPDATE, no DELETE grants).
    """
    CREATE TABLE audit_event (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_name text,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
        client_addr text,
        request_id text,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "CREATE INDEX audit_event_time ON audit_event (tenant_id, occurred_at DESC)",
    *tenant_table_rls("audit_event", grants="SELECT, INSERT"),
    "GRANT EXECUTE ON FUNCTION zhibu_scope_tenant_ids() TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_tenant_ids_under(text) TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_tenant_path(uuid) TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_login_lookup(text) TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_authz_snapshot() TO zhibu_app",
    "GRANT EXECUTE ON FUNCTION zhibu_settings_chain(uuid) TO zhibu_app",
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "audit_event",
        "role_assignment",
        "custom_role",
        "refresh_token",
        "login_identity",
        "committee_post",
        "app_user",
        "organization",
        "tenant",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for fn in (
        "zhibu_authz_snapshot()",
        "zhibu_settings_chain(uuid)",
        "zhibu_login_lookup(text)",
        "zhibu_tenant_path(uuid)",
        "zhibu_scope_tenant_ids()",
        "zhibu_tenant_ids_under(text)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
