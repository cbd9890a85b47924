-- The caller's visible tenants, as row-level security policies use them (0001).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_scope_tenant_ids()
 RETURNS uuid[]
 LANGUAGE sql
 STABLE
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT CASE WHEN coalesce(current_setting('app.tenant_ids', true), '') <> ''
                    THEN current_setting('app.tenant_ids', true)::uuid[]
                    ELSE zhibu_tenant_ids_under(current_setting('app.tenant_path', true))
               END
    $function$;
