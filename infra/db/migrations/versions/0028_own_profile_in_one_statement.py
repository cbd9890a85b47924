"""`/me` reads the caller's account through `zhibu_own_profile`, one statement that applies
the caller's scope and then reads under row-level security as the caller.

Before, scope and query travelled as two statements in one psycopg pipeline; the pipeline's
own Python cost about a third of `/me`'s CPU. The text below is a frozen copy of
`infra/tenancy/sql/zhibu_own_profile.sql` at this revision, and of its `citus/` form,
installed instead when the citus extension is present (Citus cannot plan the generic plan
the plain form asks for). On Citus the API calls it inside BEGIN … COMMIT, so the scope's
SET LOCAL reaches the workers.

Revision ID: 0028
Revises: 0022
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

revision = "0028"
down_revision = "0022"
branch_labels = None
depends_on = None

# infra/tenancy/sql/zhibu_own_profile.sql
OWN_PROFILE = """
CREATE OR REPLACE FUNCTION zhibu_own_profile(p_tenant_path text, p_user_id uuid, p_tenant uuid)
RETURNS TABLE(
    username text, display_name text, phone_masked text, tenant_code text,
    tenant_name text, tenant_level text, tenant_path text
)
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    PERFORM zhibu_set_scope(p_tenant_path, p_user_id::text);
    RETURN QUERY
        SELECT u.username, u.display_name, u.phone_masked, t.code, t.name, t.level,
               t.path::text
        FROM app_user u JOIN tenant t ON t.id = u.tenant_id
        WHERE u.tenant_id = p_tenant AND u.id = p_user_id AND u.is_active;
END
$$;
"""

# infra/tenancy/sql/citus/zhibu_own_profile.sql
OWN_PROFILE_CITUS = """
CREATE OR REPLACE FUNCTION zhibu_own_profile(p_tenant_path text, p_user_id uuid, p_tenant uuid)
RETURNS TABLE(
    username text, display_name text, phone_masked text, tenant_code text,
    tenant_name text, tenant_level text, tenant_path text
)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM zhibu_set_scope(p_tenant_path, p_user_id::text);
    RETURN QUERY
        SELECT u.username, u.display_name, u.phone_masked, t.code, t.name, t.level,
               t.path::text
        FROM app_user u JOIN tenant t ON t.id = u.tenant_id
        WHERE u.tenant_id = p_tenant AND u.id = p_user_id AND u.is_active;
END
$$;
"""


def upgrade() -> None:
    citus = op.get_bind().execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'"))
    op.execute(OWN_PROFILE_CITUS if citus.first() is not None else OWN_PROFILE)
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_own_profile(text, uuid, uuid) TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_own_profile(text, uuid, uuid)")
