-- Moves an accepted transfer's member (0046), called only by the transfers context's
-- `zhibu_transfer_answer` in the accepting transaction (no app role may execute it).
-- Within a tenant the record changes organization. Across tenants a record is keyed by
-- tenant: a new record in the receiving tenant (same person, new id, history copied, no
-- account linked), the old one kept as `transferred_out` with its history, and the
-- platform's 身份证号 directory pointed at the new one. Refuses (ZB409) a member who is
-- no longer active where the letter says. Returns the member's id where they now are.
-- History is copied row by row with INSERT … VALUES (0054): Citus runs an INSERT … SELECT
-- between shards as a COPY, which it refuses on tables under row-level security.
CREATE OR REPLACE FUNCTION zhibu_member_move(
    p_from_tenant uuid, p_member uuid, p_to_tenant uuid, p_to_org uuid, p_new_member uuid,
    p_transfer uuid, p_actor_name text
) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m member%ROWTYPE;
    h member_history%ROWTYPE;
    v_actor uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    SELECT * INTO m FROM member WHERE tenant_id = p_from_tenant AND id = p_member FOR UPDATE;
    IF NOT FOUND OR m.status NOT IN ('probationary', 'full') THEN
        RAISE EXCEPTION 'member % cannot move', p_member USING ERRCODE = 'ZB409';
    END IF;
    IF p_from_tenant = p_to_tenant THEN
        UPDATE member SET organization_id = p_to_org, updated_at = now(),
            version = version + 1
        WHERE tenant_id = p_from_tenant AND id = p_member;
        INSERT INTO member_history (tenant_id, id, member_id, version, changed_by,
            changed_by_name, action, changes)
        VALUES (p_from_tenant, gen_random_uuid(), p_member, m.version + 1, v_actor,
            p_actor_name, 'transfer', jsonb_build_object(
                'organization_id', jsonb_build_object('old', m.organization_id, 'new', p_to_org),
                'transfer_id', jsonb_build_object('old', NULL, 'new', p_transfer)));
        RETURN p_member;
    END IF;
    INSERT INTO member (tenant_id, id, organization_id, user_id, name, name_pinyin,
        name_initials, gender, ethnicity, birth_date, id_number_enc, id_number_bidx,
        id_number_masked, phone_enc, phone_bidx, phone_masked, education, work_unit, post,
        status, admitted_on, full_member_on, member_class, mobile, tags, version)
    VALUES (p_to_tenant, p_new_member, p_to_org, NULL, m.name, m.name_pinyin,
        m.name_initials, m.gender, m.ethnicity, m.birth_date, m.id_number_enc,
        m.id_number_bidx, m.id_number_masked, m.phone_enc, m.phone_bidx, m.phone_masked,
        m.education, m.work_unit, m.post, m.status, m.admitted_on, m.full_member_on,
        m.member_class, m.mobile, m.tags, m.version + 1);
    FOR h IN SELECT * FROM member_history
        WHERE tenant_id = p_from_tenant AND member_id = p_member LOOP
        INSERT INTO member_history (tenant_id, id, member_id, version, changed_at,
            changed_by, changed_by_name, action, changes)
        VALUES (p_to_tenant, gen_random_uuid(), p_new_member, h.version, h.changed_at,
            h.changed_by, h.changed_by_name, h.action, h.changes);
    END LOOP;
    INSERT INTO member_history (tenant_id, id, member_id, version, changed_by,
        changed_by_name, action, changes)
    VALUES (p_to_tenant, gen_random_uuid(), p_new_member, m.version + 1, v_actor,
        p_actor_name, 'transfer_in', jsonb_build_object(
            'tenant_id', jsonb_build_object('old', p_from_tenant, 'new', p_to_tenant),
            'id', jsonb_build_object('old', p_member, 'new', p_new_member),
            'organization_id', jsonb_build_object('old', m.organization_id, 'new', p_to_org),
            'transfer_id', jsonb_build_object('old', NULL, 'new', p_transfer))),
           (p_from_tenant, gen_random_uuid(), p_member, m.version + 1, v_actor,
        p_actor_name, 'transfer_out', jsonb_build_object(
            'status', jsonb_build_object('old', m.status, 'new', 'transferred_out'),
            'tenant_id', jsonb_build_object('old', p_from_tenant, 'new', p_to_tenant),
            'transfer_id', jsonb_build_object('old', NULL, 'new', p_transfer)));
    UPDATE member SET status = 'transferred_out', status_reason = '组织关系已转出',
        updated_at = now(), version = version + 1
    WHERE tenant_id = p_from_tenant AND id = p_member;
    UPDATE member_identity SET tenant_id = p_to_tenant, member_id = p_new_member
    WHERE id_number_bidx = m.id_number_bidx;
    RETURN p_new_member;
END
$$;
