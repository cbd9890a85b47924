-- On Citus (0028): the same, planned per call (Citus cannot plan its generic form).
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
