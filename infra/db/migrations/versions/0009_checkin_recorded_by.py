"""Who recorded each check-in; confirmed evidence out of its upload URL's reach; 身份证号
hits across tenants counted and audited on both sides.

- `checkin.recorded_by` is the account whose request wrote the row: the member's own for
  a self check-in and an offline sync, the marker's for one marked on the member's behalf
  (代签). Every write path has always filled it (the fast path's
  `zhibu_record_self_checkins` of 0006 writes the caller's id and stays as it is); the
  column now refuses NULL, so no later path can forget it.
- `evidence.upload_key`: after confirmation the object lives under a final key no upload
  URL names; the key the URL targeted is kept until the sweep has removed whatever a late
  PUT left there.
- `identity_probe_count`: cross-tenant hits in the 身份证号 directory per user and day
  (Beijing), for the daily budget. `zhibu_audit_identity_probes` writes the audit event
  in each holder's tenant (outside the asker's subtree, hence SECURITY DEFINER): who asked
  and from which tenant, never which member.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = [
    "ALTER TABLE checkin ALTER COLUMN recorded_by SET NOT NULL",
    "COMMENT ON COLUMN checkin.recorded_by IS 'the account whose request wrote the check-in:"
    " the member''s own for self check-in and offline sync, the marker''s for one marked"
    " on the member''s behalf'",
    "ALTER TABLE evidence ADD COLUMN upload_key text CHECK (length(upload_key) BETWEEN 1 AND 1024)",
    "CREATE INDEX evidence_upload_key ON evidence (upload_expires_at) WHERE upload_key IS NOT NULL",
    """
    CREATE TABLE identity_probe_count (
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        day date NOT NULL,
        hits integer NOT NULL CHECK (hits > 0),
        PRIMARY KEY (tenant_id, user_id, day)
    )
    """,
    *tenant_table_rls("identity_probe_count"),
    """
    CREATE FUNCTION zhibu_audit_identity_probes(
        p_bidx bytea[], p_ids uuid[], p_actor_name text, p_asker_tenant uuid,
        p_client_addr text, p_request_id text
    ) RETURNS integer
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH hit AS (
            SELECT i.tenant_id, b.id
            FROM unnest(p_bidx, p_ids) AS b(bidx, id)
            JOIN member_identity i ON i.id_number_bidx = b.bidx
            WHERE NOT (i.tenant_id = ANY (zhibu_scope_tenant_ids()))
        ), written AS (
            INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action,
                resource_type, resource_id, outcome, client_addr, request_id, detail)
            SELECT hit.tenant_id, (array_agg(hit.id ORDER BY hit.id))[1],
                NULLIF(current_setting('app.user_id', true), '')::uuid, p_actor_name,
                'member.identity_probed', 'member_identity', NULL, 'denied',
                p_client_addr, p_request_id,
                jsonb_build_object('asked_by_tenant_id', p_asker_tenant, 'hits', count(*))
            FROM hit GROUP BY hit.tenant_id
            RETURNING 1
        )
        SELECT count(*)::integer FROM written
    $$
    """,
    "REVOKE ALL ON FUNCTION zhibu_audit_identity_probes(bytea[], uuid[], text, uuid, text, text)"
    " FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION"
    " zhibu_audit_identity_probes(bytea[], uuid[], text, uuid, text, text) TO zhibu_app",
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS"
        " zhibu_audit_identity_probes(bytea[], uuid[], text, uuid, text, text)"
    )
    op.execute("DROP TABLE IF EXISTS identity_probe_count")
    op.execute("DROP INDEX IF EXISTS evidence_upload_key")
    op.execute("ALTER TABLE evidence DROP COLUMN IF EXISTS upload_key")
    op.execute("COMMENT ON COLUMN checkin.recorded_by IS NULL")
    op.execute("ALTER TABLE checkin ALTER COLUMN recorded_by DROP NOT NULL")
