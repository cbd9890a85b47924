"""Members' cross-tenant 身份证号 audit written through the audit trail's own writer.

`zhibu_audit_identity_probes` (0009) inserted into `audit_event`, a table tenancy owns; it
now builds the same events (one per holder tenant outside the asker's subtree, same
columns and detail) and hands them to `zhibu_write_audit_events` (0016), as the check-in
hot path does. It stays SECURITY DEFINER, so the writer runs with the owner's rights and
reaches the holder tenants as before. The text below is a frozen copy of
infra/members/sql/zhibu_audit_identity_probes.sql at this revision.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-02
"""

from alembic import context, op
from alembic.script import ScriptDirectory

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION zhibu_audit_identity_probes(
    p_bidx bytea[], p_ids uuid[], p_actor_name text, p_asker_tenant uuid,
    p_client_addr text, p_request_id text
) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    events jsonb;
BEGIN
    SELECT jsonb_agg(jsonb_build_object(
        'tenant_id', hit.tenant_id, 'id', hit.id,
        'actor_id', NULLIF(current_setting('app.user_id', true), '')::uuid,
        'actor_name', p_actor_name, 'action', 'member.identity_probed',
        'resource_type', 'member_identity', 'resource_id', NULL, 'outcome', 'denied',
        'client_addr', p_client_addr, 'request_id', p_request_id,
        'detail', jsonb_build_object('asked_by_tenant_id', p_asker_tenant, 'hits', hit.hits)))
    INTO events
    FROM (
        SELECT i.tenant_id, (array_agg(b.id ORDER BY b.id))[1] AS id, count(*) AS hits
        FROM unnest(p_bidx, p_ids) AS b(bidx, id)
        JOIN member_identity i ON i.id_number_bidx = b.bidx
        WHERE NOT (i.tenant_id = ANY (zhibu_scope_tenant_ids()))
        GROUP BY i.tenant_id
    ) hit;
    IF events IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM zhibu_write_audit_events(events);
    RETURN jsonb_array_length(events);
END
$$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    """Back to the function as 0009 created it (a language change needs a drop)."""
    op.execute("DROP FUNCTION zhibu_audit_identity_probes(bytea[], uuid[], text, uuid, text, text)")
    probes = ScriptDirectory.from_config(context.config).get_revision("0009")
    assert probes is not None
    for statement in probes.module.SCHEMA:
        if "zhibu_audit_identity_probes" in statement:
            op.execute(statement)
