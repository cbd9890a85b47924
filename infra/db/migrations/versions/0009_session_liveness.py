"""Session liveness: an access token is good only while its session and account are.

Every authenticated request asks whether its session (the refresh-token family named in
the access token) still has an unrevoked token and its account is active. The question
comes before any tenant scope exists, so it is a narrow SECURITY DEFINER function that
answers yes or no and reveals nothing else.

Revision ID: 0009_session_liveness
Revises: 0009
Create Date: 2026-12-01
"""

from alembic import op

revision = "0009_session_liveness"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION zhibu_session_alive(p_tenant uuid, p_user uuid, p_session uuid)
        RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT EXISTS (
                SELECT 1 FROM app_user u JOIN refresh_token r
                  ON r.tenant_id = u.tenant_id AND r.user_id = u.id
                WHERE u.tenant_id = p_tenant AND u.id = p_user AND u.is_active
                  AND r.family_id = p_session AND r.revoked_at IS NULL
            )
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION zhibu_session_alive(uuid, uuid, uuid) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_session_alive(uuid, uuid, uuid) TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION zhibu_session_alive(uuid, uuid, uuid)")
