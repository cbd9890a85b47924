-- An organization's place in its tenant's tree, for other contexts' SQL (the check-in
-- hot path) that must not read `organization` itself. A plain SQL function, so the
-- planner inlines it into the caller's query: no extra cost per use.
CREATE OR REPLACE FUNCTION zhibu_organization_path(p_tenant uuid, p_organization uuid)
RETURNS TABLE (path ltree)
LANGUAGE sql STABLE AS $$
    SELECT o.path FROM organization o WHERE o.tenant_id = p_tenant AND o.id = p_organization
$$;
