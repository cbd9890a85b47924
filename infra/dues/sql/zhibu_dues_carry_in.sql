-- 党费交至 carried in with a transfer from another tenant (0057), written by the transfer's
-- answer door in the acceptance's own transaction: the member arrives with their dues
-- standing at once, and no bill run of the receiving tenant can bill a month paid before.
-- The sending tenant's ledger keeps the paid months; nothing is copied. Written once per
-- member, with its audit row in the receiving tenant, the actor columns taken from
-- `p_actor` (an audit row of the caller's).
CREATE OR REPLACE FUNCTION zhibu_dues_carry_in(
    p_tenant uuid, p_member uuid, p_paid_to date, p_transfer uuid, p_from_tenant uuid,
    p_actor jsonb
) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO dues_carried_in (tenant_id, member_id, paid_to, transfer_id, from_tenant_id)
    VALUES (p_tenant, p_member, date_trunc('month', p_paid_to)::date, p_transfer,
            p_from_tenant)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM zhibu_write_audit_events(jsonb_build_array(jsonb_build_object(
        'tenant_id', p_tenant, 'id', zhibu_uuid7(),
        'actor_id', p_actor->'actor_id', 'actor_name', p_actor->'actor_name',
        'client_addr', p_actor->'client_addr', 'request_id', p_actor->'request_id',
        'action', 'dues.paid_to_carried_in', 'resource_type', 'member', 'resource_id', p_member,
        'outcome', 'success',
        'detail', jsonb_build_object('paid_to', to_char(p_paid_to, 'YYYY-MM'),
                                     'transfer_id', p_transfer))));
END
$$;
