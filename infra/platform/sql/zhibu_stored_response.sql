-- The record of an Idempotency-Key, for a hot path's read that must not name
-- `idempotency_key` itself. A plain SQL function, so the planner inlines it.
CREATE OR REPLACE FUNCTION zhibu_stored_response(p_tenant uuid, p_user uuid, p_key text)
RETURNS TABLE (fingerprint bytea, status_code integer, body bytea)
LANGUAGE sql STABLE AS $$
    SELECT k.fingerprint, k.status_code, k.body FROM idempotency_key k
    WHERE k.tenant_id = p_tenant AND k.user_id = p_user AND k.key = p_key
$$;
