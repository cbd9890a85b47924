-- The receiving side's door back to the sending tenant (0054, 0057): accept or return a `sent`
-- transfer. The arrival must be in the caller's scope; the sending record changes only
-- while it is still `sent`, and it is locked first (before the arrival), the order every
-- transition keeps, so an accept racing a cancel or an expiry finds the state the winner
-- left and changes nothing. It writes the whole step itself, so that no other role writes
-- in its transaction (Citus refuses that): both sides' steps, the caller's audit and
-- outbox rows as the unit of work would have written them (each in the caller's scope;
-- on acceptance the events learn the member's id where they now are), and the sending
-- tenant's audit with the actor columns of the caller's first audit row. On acceptance
-- the members context moves the member in this transaction (`zhibu_member_move`), the
-- dues context records the 党费交至 carried in across tenants (`zhibu_dues_carry_in`), and
-- the arrival learns the member's new id and the points carried. Returns the arrival's state:
-- `p_state` when it changed, the one found otherwise.
CREATE OR REPLACE FUNCTION zhibu_transfer_answer(
    p_tenant uuid, p_id uuid, p_state text, p_reason text, p_actor_name text,
    p_new_member uuid, p_audit jsonb, p_outbox jsonb
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a transfer_arrival%ROWTYPE;
    t transfer%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
    v_action text := CASE p_state WHEN 'accepted' THEN 'accept' ELSE 'return' END;
    v_member uuid;
    v_found text;
    -- a value, not now() in a CASE: Citus evaluates no volatile function there
    v_closed timestamptz := CASE WHEN p_state = 'accepted' THEN now() END;
BEGIN
    IF p_state NOT IN ('accepted', 'returned')
        OR NOT p_tenant = ANY (zhibu_scope_tenant_ids()) OR jsonb_array_length(p_audit) = 0
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_audit || p_outbox) e
            WHERE NOT (e->>'tenant_id')::uuid = ANY (zhibu_scope_tenant_ids())) THEN
        RAISE EXCEPTION 'transfer % cannot be answered so', p_id USING ERRCODE = '42501';
    END IF;
    SELECT * INTO a FROM transfer_arrival WHERE tenant_id = p_tenant AND id = p_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE transfer SET state = p_state, updated_at = now(), version = version + 1,
        closed_at = v_closed
    WHERE tenant_id = a.from_tenant_id AND id = p_id AND state = 'sent'
    RETURNING * INTO t;
    IF NOT FOUND THEN
        SELECT state INTO v_found FROM transfer_arrival WHERE tenant_id = p_tenant AND id = p_id;
        RETURN v_found;
    END IF;
    IF p_state = 'accepted' THEN
        v_member := zhibu_member_move(t.tenant_id, t.member_id, a.tenant_id,
            a.to_organization_id, p_new_member, p_id, p_actor_name);
        UPDATE transfer SET new_member_id = v_member
        WHERE tenant_id = t.tenant_id AND id = p_id;
        IF a.from_tenant_id <> a.tenant_id AND a.dues_paid_to IS NOT NULL THEN
            PERFORM zhibu_dues_carry_in(a.tenant_id, v_member, a.dues_paid_to, p_id,
                a.from_tenant_id, p_audit->0);
        END IF;
        p_outbox := (SELECT jsonb_agg(jsonb_set(e, '{payload,member_id}', to_jsonb(v_member)))
            FROM jsonb_array_elements(p_outbox) e);
    END IF;
    UPDATE transfer_arrival SET state = p_state, updated_at = now(), new_member_id = v_member,
        points_carried = CASE WHEN p_state = 'accepted' THEN t.points_carried END
    WHERE tenant_id = p_tenant AND id = p_id AND state = 'sent';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer % arrival is not sent', p_id USING ERRCODE = 'ZB409';
    END IF;
    INSERT INTO transfer_step (tenant_id, id, transfer_id, side, action, from_state,
        to_state, actor_id, actor_name, reason)
    VALUES (a.tenant_id, zhibu_uuid7(), p_id, 'receiving', v_action, 'sent', p_state,
            v_actor, p_actor_name, p_reason),
           (t.tenant_id, zhibu_uuid7(), p_id, 'sending', v_action, 'sent', p_state,
            v_actor, p_actor_name, p_reason);
    PERFORM zhibu_write_audit_events(p_audit);
    PERFORM zhibu_write_outbox_events(p_outbox);
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', t.tenant_id, 'id', zhibu_uuid7(),
        'actor_id', p_audit->0->'actor_id', 'actor_name', p_audit->0->'actor_name',
        'client_addr', p_audit->0->'client_addr', 'request_id', p_audit->0->'request_id',
        'action', 'transfer.' || p_state, 'resource_type', 'transfer', 'resource_id', p_id,
        'outcome', 'success',
        'detail', jsonb_build_object('by_tenant_id', a.tenant_id, 'reason', p_reason))));
    RETURN p_state;
END
$$;
