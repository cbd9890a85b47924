"""One function for a tenant's ancestors: points asks tenancy's scoped `zhibu_tenant_ancestors`.

0030 (points) and 0033 (dues) each added a tenancy function listing a tenant and its
ancestors; 0033's refuses a tenant outside the caller's scope. Points' rule versions now
ask that one, and 0030's unscoped copy goes. The texts below are frozen copies of the files.

Revision ID: 0035
Revises: 0031
Create Date: 2026-12-02
"""

from alembic import op

revision = "0035"
down_revision = "0031"
branch_labels = None
depends_on = None

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
    FOREACH a IN ARRAY coalesce(zhibu_tenant_ancestors(p_tenant), '{}') LOOP
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

# 0030's texts, for the downgrade.
ANCESTOR_IDS_0030 = """
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


def upgrade() -> None:
    op.execute(RULE_VERSIONS)
    op.execute("DROP FUNCTION zhibu_tenant_ancestor_ids(uuid)")


def downgrade() -> None:
    op.execute(ANCESTOR_IDS_0030)
    op.execute(
        RULE_VERSIONS.replace(
            "coalesce(zhibu_tenant_ancestors(p_tenant), '{}')",
            "zhibu_tenant_ancestor_ids(p_tenant)",
        )
    )
