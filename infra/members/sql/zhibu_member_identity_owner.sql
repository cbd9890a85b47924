-- The tenant holding a 身份证号 (by blind index), across tenants (0003).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_member_identity_owner(p_bidx bytea)
 RETURNS TABLE(tenant_id uuid, member_id uuid)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        SELECT tenant_id, member_id FROM member_identity WHERE id_number_bidx = p_bidx
    $function$;
