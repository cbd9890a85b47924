-- Audits cross-tenant 身份证号 hits in each holder's tenant (0009): one event per holder
-- tenant outside the asker's subtree, saying who asked and from which tenant, never which
-- member. SECURITY DEFINER because those tenants lie outside the caller's row-level
-- security; the event is written by the audit trail's own `zhibu_write_audit_events`
-- (0019), so members' SQL names no table of another context.
CREATE OR REPLACE FUNCTION zhibu_audit_identity_probes(
    p_bidx bytea[], p_ids uuid[], p_actor_name text, p_asker_tenant uuid,
    p_client_addr text, p_request_id text
) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    events jsonb;
BEGIN
    SELECT jsonb_agg(jsonb_build_object(
        'tenant_id', hit.tenant_id, 'id', hit.id,
        'actor_id', NULLIF(current_setting('app.user_id', true), '')::uuid,
        'actor_name', p_actor_name, 'action', 'member.identity_probed',
        'resource_type', 'member_identity', 'resource_id', NULL, 'outcome', 'denied',
        'client_addr', p_client_addr, 'request_id', p_request_id,
        'detail', jsonb_build_object('asked_by_tenant_id', p_asker_tenant, 'hits', hit.hits)))
    INTO events
    FROM (
        SELECT i.tenant_id, (array_agg(b.id ORDER BY b.id))[1] AS id, count(*) AS hits
        FROM unnest(p_bidx, p_ids) AS b(bidx, id)
        JOIN member_identity i ON i.id_number_bidx = b.bidx
        WHERE NOT (i.tenant_id = ANY (zhibu_scope_tenant_ids()))
        GROUP BY i.tenant_id
    ) hit;
    IF events IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM zhibu_write_audit_events(events);
    RETURN jsonb_array_length(events);
END
$$;
