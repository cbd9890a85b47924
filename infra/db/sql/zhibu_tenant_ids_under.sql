-- The tenants of a subtree, for the scope; SECURITY DEFINER so it can read the tenant
-- tree (0001).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_tenant_ids_under(p_path text)
 RETURNS uuid[]
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT coalesce(array_agg(t.id), '{}'::uuid[]) FROM tenant t
        WHERE t.path <@ nullif(p_path, '')::ltree
    $function$;
