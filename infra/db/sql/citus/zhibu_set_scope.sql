-- On Citus (0017): the scope by SET LOCAL, which reaches the workers
-- (citus.propagate_set_commands = 'local'); format('%L') quotes each value as a literal.
CREATE OR REPLACE FUNCTION zhibu_set_scope(p_tenant_path text, p_user_id text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SET LOCAL citus.propagate_set_commands = 'local';
    EXECUTE format('SET LOCAL app.tenant_path = %L', coalesce(p_tenant_path, ''));
    EXECUTE format('SET LOCAL app.tenant_ids = %L',
                   public.zhibu_tenant_ids_under(p_tenant_path)::text);
    EXECUTE format('SET LOCAL app.user_id = %L', coalesce(p_user_id, ''));
END
$$;
