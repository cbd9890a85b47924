-- The caller's visible tenants, as row-level security policies use them: only those
-- the scope statement listed, none without a scope (0001, 0017).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_scope_tenant_ids()
 RETURNS uuid[]
 LANGUAGE sql
 STABLE
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT coalesce(nullif(current_setting('app.tenant_ids', true), ''), '{}')::uuid[]
$function$;
