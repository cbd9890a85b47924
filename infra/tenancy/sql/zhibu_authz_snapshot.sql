-- Staff role assignments and custom roles' permissions, for each worker's Casbin enforcer (0001).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_authz_snapshot()
 RETURNS TABLE(kind text, v0 text, v1 text, v2 text, v3 text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT 'g', 'u:' || ra.user_id::text, ra.role, ra.domain, '' FROM role_assignment ra
        UNION ALL
        SELECT 'p', 'r:' || cr.tenant_id::text || ':' || cr.name, t.path::text, perm, ''
        FROM custom_role cr JOIN tenant t ON t.id = cr.tenant_id, unnest(cr.permissions) perm
    $function$;
