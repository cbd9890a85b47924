-- The dues standard versions of a tenant and of its ancestors, nearest tenant first (0033).
-- Row-level security shows a caller its subtree only, never the province above a county,
-- whose standard the county follows: so this reads as the owner, for a tenant in the
-- caller's scope only, and names the chain's tenants so that Citus prunes the shards.
CREATE OR REPLACE FUNCTION zhibu_dues_standards_chain(p_tenant uuid)
RETURNS TABLE(
    depth integer, standard_tenant uuid, standard_id uuid, standard_name text,
    standard_from date, standard_rules jsonb
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_chain uuid[];
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN;
    END IF;
    SELECT array_agg(a.id) INTO v_chain
    FROM tenant t JOIN tenant a ON t.path <@ a.path
    WHERE t.id = p_tenant;
    RETURN QUERY
        SELECT nlevel(a.path), s.tenant_id, s.id, s.name, s.effective_from, s.rules
        FROM dues_standard s JOIN tenant a ON a.id = s.tenant_id
        WHERE s.tenant_id = ANY (v_chain)
        ORDER BY nlevel(a.path) DESC, s.effective_from, s.id;
END
$$;
