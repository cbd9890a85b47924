-- The sending side's door that closes the receiving side's arrival (0046) after the
-- transfer was cancelled or expired (set by the caller in this transaction, on the
-- transfer row locked first): the arrival closes only while it is `sent` or `returned`,
-- with the receiving side's step and audit. SECURITY DEFINER: the receiving tenant lies
-- outside the caller's row-level security; the caller's scope must hold the transfer.
CREATE OR REPLACE FUNCTION zhibu_transfer_withdraw(
    p_tenant uuid, p_id uuid, p_reason text, p_actor_name text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t transfer%ROWTYPE;
    v_from text;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN false;
    END IF;
    SELECT * INTO t FROM transfer
    WHERE tenant_id = p_tenant AND id = p_id AND state IN ('cancelled', 'expired');
    IF NOT FOUND OR t.to_tenant_id IS NULL THEN
        RETURN false;
    END IF;
    SELECT state INTO v_from FROM transfer_arrival
    WHERE tenant_id = t.to_tenant_id AND id = p_id AND state IN ('sent', 'returned')
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE transfer_arrival SET state = t.state, updated_at = now()
    WHERE tenant_id = t.to_tenant_id AND id = p_id;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name, reason)
    VALUES (t.to_tenant_id, gen_random_uuid(), p_id, 'receiving',
        CASE t.state WHEN 'cancelled' THEN 'cancel' ELSE 'expire' END, v_from, t.state,
        v_actor, p_actor_name, p_reason);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', gen_random_uuid(), 'actor_id', v_actor,
        'actor_name', p_actor_name, 'action', 'transfer.' || t.state,
        'resource_type', 'transfer', 'resource_id', p_id, 'outcome', 'success',
        'detail', jsonb_build_object('from_tenant_id', t.tenant_id))));
    RETURN true;
END
$$;
