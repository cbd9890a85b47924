-- The dues standard versions of a tenant and of its ancestors, nearest tenant first (0033).
-- Row-level security shows a caller its subtree only, never the province above a county,
-- whose standard the county follows: so this reads as the owner, for a tenant in the
-- caller's scope only (tenancy's zhibu_tenant_ancestors), and names the chain's tenants so
-- that Citus prunes the shards.
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
