-- The caller's scope for this transaction, in one statement (0017). On Citus migration
-- 0017 installs a PL/pgSQL version instead, whose SET LOCAL reaches the workers.
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_set_scope(p_tenant_path text, p_user_id text)
 RETURNS void
 LANGUAGE sql
AS $function$
    SELECT set_config('app.tenant_path', p_tenant_path, true),
           set_config('app.tenant_ids', public.zhibu_tenant_ids_under(p_tenant_path)::text, true),
           set_config('app.user_id', p_user_id, true)
$function$;
