"""A tenant without a star scheme of its own rates under its nearest ancestor's (issue 14:
schemes are inherited as point rules are), read through `zhibu_star_scheme_in_force`. The
function text is a frozen copy of its file.

Revision ID: 0058
Revises: 0057
Create Date: 2026-12-03
"""

from alembic import op

revision = "0058"
down_revision = "0057"
branch_labels = None
depends_on = None

# infra/points/sql/zhibu_star_scheme_in_force.sql
IN_FORCE = """
CREATE OR REPLACE FUNCTION zhibu_star_scheme_in_force(p_tenant uuid, p_subject text)
RETURNS TABLE(
    tenant_id uuid, version integer, scheme jsonb, created_by uuid,
    created_at timestamp with time zone
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a uuid;
BEGIN
    FOREACH a IN ARRAY coalesce(zhibu_tenant_ancestors(p_tenant), '{}') LOOP
        RETURN QUERY
            SELECT s.tenant_id, s.version, s.scheme, s.created_by, s.created_at
            FROM star_scheme s WHERE s.tenant_id = a AND s.subject = p_subject
            ORDER BY s.version DESC LIMIT 1;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$$;
"""

SIGNATURE = "zhibu_star_scheme_in_force(uuid, text)"


def upgrade() -> None:
    op.execute(IN_FORCE)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO zhibu_app")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
