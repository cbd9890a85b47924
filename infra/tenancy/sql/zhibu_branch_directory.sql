-- The platform's published directory of branches (0046), for choosing where a member's
-- membership goes (组织关系转接): by a tenant's division code, and an organization's id
-- or a fragment of its name. It shows names and ids only, never members, staff or
-- counts, and needs a scoped caller. SECURITY DEFINER: the target tenant lies outside the
-- caller's row-level security.
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
