"""Second factor for logins; audit events kept at least six months.

`user_mfa` holds one TOTP factor per account (the secret encrypted with the field key,
recovery codes as keyed hashes). `refresh_token.mfa_at` records that a session passed the
second factor, so a refreshed session keeps its assurance.

Audit events were already append-only for the app role (no UPDATE or DELETE grant); a
trigger now refuses changing them for every role, and deleting any younger than six months
(网络安全法 第二十一条: network logs kept no less than six months).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SCHEMA = [
    """
    CREATE TABLE user_mfa (
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        secret_ciphertext bytea NOT NULL,
        confirmed_at timestamptz,
        last_used_step bigint,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        recovery_code_hashes bytea[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
    )
    """,
    *tenant_table_rls("user_mfa", grants="SELECT, INSERT, UPDATE, DELETE"),
    "ALTER TABLE refresh_token ADD COLUMN mfa_at timestamptz",
    """
    CREATE FUNCTION zhibu_audit_event_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '6 months' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit events are append-only and kept at least six months'
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_event"
    " FOR EACH ROW EXECUTE FUNCTION zhibu_audit_event_guard()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
    " FOR EACH STATEMENT EXECUTE FUNCTION zhibu_audit_event_guard()",
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
    op.execute("DROP TRIGGER audit_event_guard ON audit_event")
    op.execute("DROP FUNCTION zhibu_audit_event_guard()")
    op.execute("ALTER TABLE refresh_token DROP COLUMN mfa_at")
    op.execute("DROP TABLE user_mfa")
