-- Audits cross-tenant 身份证号 hits in each holder's tenant (0009).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_audit_identity_probes(
    p_bidx bytea[], p_ids uuid[], p_actor_name text, p_asker_tenant uuid,
    p_client_addr text, p_request_id text
)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
        WITH hit AS (
            SELECT i.tenant_id, b.id
            FROM unnest(p_bidx, p_ids) AS b(bidx, id)
            JOIN member_identity i ON i.id_number_bidx = b.bidx
            WHERE NOT (i.tenant_id = ANY (zhibu_scope_tenant_ids()))
        ), written AS (
            INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action,
                resource_type, resource_id, outcome, client_addr, request_id, detail)
            SELECT hit.tenant_id, (array_agg(hit.id ORDER BY hit.id))[1],
                NULLIF(current_setting('app.user_id', true), '')::uuid, p_actor_name,
                'member.identity_probed', 'member_identity', NULL, 'denied',
                p_client_addr, p_request_id,
                jsonb_build_object('asked_by_tenant_id', p_asker_tenant, 'hits', count(*))
            FROM hit GROUP BY hit.tenant_id
            RETURNING 1
        )
        SELECT count(*)::integer FROM written
    $function$;
