-- Idempotency-Key records with their stored responses, given as rows (JSON objects keyed
-- by column, bytea as `\x` hex), for a hot path that writes them with its change in one
-- round trip without naming `idempotency_key` itself. Runs as the caller: row-level
-- security checks every row. A key already taken fails the statement.
CREATE OR REPLACE FUNCTION zhibu_store_responses(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code, body)
    SELECT k.tenant_id, k.user_id, k.key, k.fingerprint, k.status_code, k.body
    FROM jsonb_populate_recordset(NULL::idempotency_key, p_rows) k;
END
$$;
