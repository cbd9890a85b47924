-- Whether a session is alive and its account active, checked on every request (0010).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_session_state(p_tenant uuid, p_user uuid, p_session uuid)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
            SELECT coalesce((
                SELECT CASE WHEN u.password_change_required THEN 'password_change_required'
                            ELSE 'alive' END
                FROM app_user u
                WHERE u.tenant_id = p_tenant AND u.id = p_user AND u.is_active
                  AND EXISTS (
                      SELECT 1 FROM refresh_token r
                      WHERE r.tenant_id = p_tenant AND r.family_id = p_session
                        AND r.user_id = p_user AND r.revoked_at IS NULL
                  )
            ), 'ended')
        $function$;
