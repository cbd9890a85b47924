-- Members whose name matches a fragment, within the scope (0014).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_members_named(p_fragment text)
 RETURNS TABLE(tenant_id uuid, id uuid)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT m.tenant_id, m.id FROM member m
        WHERE m.tenant_id = ANY ((SELECT zhibu_scope_tenant_ids())::uuid[])
          AND m.name_grams @> (SELECT zhibu_fragment_grams(p_fragment))
          AND strpos(m.name, p_fragment) > 0
    $function$;
