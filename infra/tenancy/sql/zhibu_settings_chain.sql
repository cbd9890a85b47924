-- A tenant's settings and its ancestors' overrides, root first (0001).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_settings_chain(p_tenant uuid)
 RETURNS SETOF jsonb
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT a.settings FROM tenant t JOIN tenant a ON t.path <@ a.path
        WHERE t.id = p_tenant ORDER BY nlevel(a.path)
    $function$;
