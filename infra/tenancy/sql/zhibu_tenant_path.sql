-- A tenant's path, for login and refresh before any scope exists (0001).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_tenant_path(p_tenant uuid)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT path::text FROM tenant WHERE id = p_tenant
    $function$;
