-- The sending side's door into the receiving tenant (0054), for the transitions that reach
-- it: the submission or last approval that sends a transfer, and the cancel or expiry of
-- one sent or returned. It writes the whole step itself, so that no other role writes in
-- its transaction (Citus refuses that): the sending row as the caller moved it (`p_row`,
-- the columns a transition changes), only while it is still in `p_from` at the version
-- the caller read and only for these transitions; the sending side's step; the audit and
-- outbox rows the unit of work would have written, each in the caller's scope. Then the
-- receiving side's part, taken from the row itself: on `sent` the arrival (only the
-- letter's member fields; reopened after a return) with its first step, on a cancel or an
-- expiry the arrival closed while it is `sent` or `returned`, with its step; each audited
-- in the receiving tenant with the actor columns of the caller's first audit row.
-- SECURITY DEFINER because the receiving tenant lies outside the caller's row-level
-- security. Returns the state the transfer is in: the new one, or the one found.
CREATE OR REPLACE FUNCTION zhibu_transfer_advance(
    p_tenant uuid, p_from text, p_row jsonb, p_step jsonb, p_audit jsonb, p_outbox jsonb
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r transfer := jsonb_populate_record(NULL::transfer, p_row);
    s transfer_step := jsonb_populate_record(NULL::transfer_step, p_step);
    t transfer%ROWTYPE;
    v_found text;
    v_action text := 'deliver';
    v_reason text;
    v_audit text := 'transfer.arrived';
    v_actor jsonb := jsonb_build_object('actor_id', p_audit->0->'actor_id',
        'actor_name', p_audit->0->'actor_name', 'client_addr', p_audit->0->'client_addr',
        'request_id', p_audit->0->'request_id');
BEGIN
    IF NOT p_tenant = ANY (zhibu_scope_tenant_ids()) OR r.tenant_id IS DISTINCT FROM p_tenant
        OR jsonb_array_length(p_audit) = 0
        OR NOT (r.state = 'sent' AND p_from IN ('draft', 'pending_approval', 'returned')
            OR r.state IN ('cancelled', 'expired') AND p_from IN ('sent', 'returned'))
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_audit || p_outbox) e
            WHERE NOT (e->>'tenant_id')::uuid = ANY (zhibu_scope_tenant_ids())) THEN
        RAISE EXCEPTION 'transfer % cannot advance so', r.id USING ERRCODE = '42501';
    END IF;
    UPDATE transfer SET state = r.state, approvals_done = r.approvals_done, hold = r.hold,
        dues_paid_to = r.dues_paid_to, member_status = r.member_status,
        letter_number = r.letter_number, letter_issued_on = r.letter_issued_on,
        sent_at = r.sent_at, expires_at = r.expires_at, updated_at = r.updated_at,
        closed_at = r.closed_at, version = version + 1
    WHERE tenant_id = p_tenant AND id = r.id AND state = p_from AND version = r.version - 1
        AND to_tenant_id IS NOT NULL
    RETURNING * INTO t;
    IF NOT FOUND THEN
        SELECT state INTO v_found FROM transfer WHERE tenant_id = p_tenant AND id = r.id;
        RETURN v_found;
    END IF;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, level, actor_id, actor_name, reason, at)
    VALUES (p_tenant, s.id, t.id, 'sending', s.action, p_from, t.state, s.level, s.actor_id,
        s.actor_name, s.reason, s.at);
    PERFORM zhibu_write_audit_events(p_audit);
    PERFORM zhibu_write_outbox_events(p_outbox);
    IF t.state = 'sent' THEN
        INSERT INTO transfer_arrival (tenant_id, id, from_tenant_id, from_tenant_name,
            from_organization_name, to_organization_id, to_organization_name, kind, reason,
            state, letter_number, letter_issued_on, validity_days, expires_at, member_name,
            member_gender, member_birth_date, member_ethnicity, member_status,
            member_id_number_masked, member_phone_masked, dues_paid_to, sent_at, updated_at)
        VALUES (t.to_tenant_id, t.id, t.tenant_id, t.from_tenant_name,
            t.from_organization_name, t.to_organization_id, t.to_organization_name, t.kind,
            t.reason, 'sent', t.letter_number, t.letter_issued_on, t.validity_days,
            t.expires_at, t.member_name, t.member_gender, t.member_birth_date,
            t.member_ethnicity, t.member_status, t.member_id_number_masked,
            t.member_phone_masked, t.dues_paid_to, t.sent_at, t.updated_at)
        ON CONFLICT (tenant_id, id) DO UPDATE SET state = 'sent',
            letter_issued_on = EXCLUDED.letter_issued_on, expires_at = EXCLUDED.expires_at,
            member_status = EXCLUDED.member_status, dues_paid_to = EXCLUDED.dues_paid_to,
            sent_at = EXCLUDED.sent_at, updated_at = EXCLUDED.updated_at;
        v_found := NULL;
    ELSE
        -- plain values, not CASE over a field: Citus deparses `CASE t.state WHEN …` wrongly
        v_action := CASE WHEN t.state = 'cancelled' THEN 'cancel' ELSE 'expire' END;
        v_reason := s.reason;
        v_audit := 'transfer.' || t.state;
        SELECT state INTO v_found FROM transfer_arrival
        WHERE tenant_id = t.to_tenant_id AND id = t.id AND state IN ('sent', 'returned')
        FOR UPDATE;
        IF NOT FOUND THEN
            RETURN t.state;
        END IF;
        UPDATE transfer_arrival SET state = t.state, updated_at = t.updated_at
        WHERE tenant_id = t.to_tenant_id AND id = t.id;
    END IF;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name, reason, at)
    VALUES (t.to_tenant_id, zhibu_uuid7(), t.id, 'receiving', v_action, v_found, t.state,
        s.actor_id, s.actor_name, v_reason, s.at);
    PERFORM zhibu_write_audit_events(jsonb_build_array(v_actor || jsonb_build_object(
        'tenant_id', t.to_tenant_id, 'id', zhibu_uuid7(),
        'action', v_audit, 'resource_type', 'transfer', 'resource_id', t.id, 'outcome', 'success',
        'detail', jsonb_strip_nulls(jsonb_build_object('from_tenant_id', t.tenant_id,
            'letter_number', CASE WHEN t.state = 'sent' THEN t.letter_number END)))));
    RETURN t.state;
END
$$;
