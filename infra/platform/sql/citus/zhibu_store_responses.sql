-- On Citus (migration 0021): the rows one by one with INSERT … VALUES, each routed to its
-- tenant's shard; an INSERT … SELECT from the JSON would run as a COPY, which Citus
-- refuses on tables under row-level security.
CREATE OR REPLACE FUNCTION zhibu_store_responses(p_rows jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    k idempotency_key;
BEGIN
    FOR k IN SELECT * FROM jsonb_populate_recordset(NULL::idempotency_key, p_rows) LOOP
        INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint, status_code, body)
        VALUES (k.tenant_id, k.user_id, k.key, k.fingerprint, k.status_code, k.body);
    END LOOP;
END
$$;
