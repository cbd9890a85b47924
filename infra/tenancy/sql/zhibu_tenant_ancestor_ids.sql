-- A tenant and its ancestors, nearest first (0030): for other contexts' settings that a
-- tenant inherits from above (point rules), without naming the tenant table.
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_tenant_ancestor_ids(p_tenant uuid)
 RETURNS uuid[]
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN ARRAY(
        SELECT a.id FROM tenant t JOIN tenant a ON t.path <@ a.path
        WHERE t.id = p_tenant ORDER BY nlevel(a.path) DESC
    );
END
$function$;
