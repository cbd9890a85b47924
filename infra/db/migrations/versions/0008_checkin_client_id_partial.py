"""Offline client ids are unique where they exist; check-ins made online have none.

The unique constraint on (tenant_id, client_id) indexed a NULL for every online check-in.
That small index of NULLs then looked cheapest to the planner for any lookup by tenant
before the table had statistics: a member's own check-in was found by walking every
check-in of the tenant. A partial unique index keeps the same guarantee, indexes only
offline check-ins, and can't be mistaken for the (activity, member) key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE checkin DROP CONSTRAINT checkin_tenant_id_client_id_key")
    op.execute(
        "CREATE UNIQUE INDEX checkin_client_id ON checkin (tenant_id, client_id)"
        " WHERE client_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX checkin_client_id")
    op.execute(
        "ALTER TABLE checkin ADD CONSTRAINT checkin_tenant_id_client_id_key"
        " UNIQUE (tenant_id, client_id)"
    )
