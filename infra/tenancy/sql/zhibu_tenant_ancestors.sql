-- A tenant in the caller's scope and its ancestors, nearest first; NULL for a tenant out
-- of scope (0033). For rules that a tenant inherits from above (the dues standard), which
-- row-level security would hide from a county.
CREATE OR REPLACE FUNCTION zhibu_tenant_ancestors(p_tenant uuid)
RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN NULL;
    END IF;
    RETURN (
        SELECT array_agg(a.id ORDER BY nlevel(a.path) DESC)
        FROM tenant t JOIN tenant a ON t.path <@ a.path
        WHERE t.id = p_tenant
    );
END
$$;
