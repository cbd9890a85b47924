-- The sending side's door into the receiving tenant (0046). Once a transfer is `sent`, it
-- writes the transfer's arrival there from the transfer row itself (only the letter's
-- member fields), or reopens it after a return, with the receiving side's first step,
-- audited in the receiving tenant. SECURITY DEFINER because the receiving tenant lies
-- outside the caller's row-level security; the caller's scope must hold the transfer.
CREATE OR REPLACE FUNCTION zhibu_transfer_deliver(p_tenant uuid, p_id uuid, p_actor_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t transfer%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) THEN
        RETURN false;
    END IF;
    SELECT * INTO t FROM transfer WHERE tenant_id = p_tenant AND id = p_id AND state = 'sent';
    IF NOT FOUND OR t.to_tenant_id IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO transfer_arrival (tenant_id, id, from_tenant_id, from_tenant_name,
        from_organization_name, to_organization_id, to_organization_name, kind, reason, state,
        letter_number, letter_issued_on, validity_days, expires_at, member_name,
        member_gender, member_birth_date, member_ethnicity, member_status,
        member_id_number_masked, member_phone_masked, dues_paid_to, sent_at, updated_at)
    VALUES (t.to_tenant_id, t.id, t.tenant_id, t.from_tenant_name, t.from_organization_name,
        t.to_organization_id, t.to_organization_name, t.kind, t.reason, 'sent',
        t.letter_number, t.letter_issued_on, t.validity_days, t.expires_at, t.member_name,
        t.member_gender, t.member_birth_date, t.member_ethnicity, t.member_status,
        t.member_id_number_masked, t.member_phone_masked, t.dues_paid_to, t.sent_at, now())
    ON CONFLICT (tenant_id, id) DO UPDATE SET state = 'sent',
        letter_issued_on = EXCLUDED.letter_issued_on, expires_at = EXCLUDED.expires_at,
        member_status = EXCLUDED.member_status, dues_paid_to = EXCLUDED.dues_paid_to,
        sent_at = EXCLUDED.sent_at, updated_at = EXCLUDED.updated_at;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name)
    VALUES (t.to_tenant_id, gen_random_uuid(), t.id, 'receiving', 'deliver', NULL, 'sent',
        v_actor, p_actor_name);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', gen_random_uuid(), 'actor_id', v_actor,
        'actor_name', p_actor_name, 'action', 'transfer.arrived', 'resource_type', 'transfer',
        'resource_id', t.id, 'outcome', 'success',
        'detail', jsonb_build_object('from_tenant_id', t.tenant_id,
                                     'letter_number', t.letter_number))));
    RETURN true;
END
$$;
