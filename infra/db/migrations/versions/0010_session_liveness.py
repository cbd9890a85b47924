"""Session liveness: an access token is good only while its session and account are.

Every authenticated request asks in what state its session is: ended (the refresh-token
family named in the access token has no unrevoked token left, or the account is not
active), alive, or alive but held to a password change (an operator's one-time password).
The question comes before any tenant scope exists, so it is a narrow SECURITY DEFINER
function that answers with one word and reveals nothing else.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE app_user ADD COLUMN password_change_required boolean NOT NULL DEFAULT false"
    )
    op.execute(
        """
        CREATE FUNCTION zhibu_session_state(p_tenant uuid, p_user uuid, p_session uuid)
        RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT coalesce((
                SELECT CASE WHEN u.password_change_required THEN 'password_change_required'
                            ELSE 'alive' END
                FROM app_user u
                WHERE u.tenant_id = p_tenant AND u.id = p_user AND u.is_active
                  AND EXISTS (
                      SELECT 1 FROM refresh_token r
                      WHERE r.tenant_id = p_tenant AND r.family_id = p_session
                        AND r.user_id = p_user AND r.revoked_at IS NULL
                  )
            ), 'ended')
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION zhibu_session_state(uuid, uuid, uuid) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_session_state(uuid, uuid, uuid) TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_session_state(uuid, uuid, uuid)")
    op.execute("ALTER TABLE app_user DROP COLUMN password_change_required")
