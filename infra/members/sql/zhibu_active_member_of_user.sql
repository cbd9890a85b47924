-- The probationary or full member record linked to a login account, for other contexts'
-- SQL (the check-in hot path) that must not read `member` itself. A plain SQL function,
-- so the planner inlines it into the caller's query: no extra cost per use.
CREATE OR REPLACE FUNCTION zhibu_active_member_of_user(p_tenant uuid, p_user uuid)
RETURNS TABLE (id uuid, tenant_id uuid, organization_id uuid, status text)
LANGUAGE sql STABLE AS $$
    SELECT m.id, m.tenant_id, m.organization_id, m.status FROM member m
    WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND m.user_id IS NOT NULL
      AND m.status IN ('probationary', 'full')
$$;
