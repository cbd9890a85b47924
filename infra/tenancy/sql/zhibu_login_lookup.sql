-- The account behind a username or phone, before any scope exists (0001).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_login_lookup(p_identifier text)
 RETURNS TABLE(tenant_id uuid, user_id uuid, tenant_path text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT li.tenant_id, li.user_id, t.path::text
        FROM login_identity li JOIN tenant t ON t.id = li.tenant_id
        WHERE li.identifier = p_identifier
    $function$;
