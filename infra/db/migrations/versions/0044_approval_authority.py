"""Approval authority (审批权限) as organization data: a tenant administrator says which
基层党委 may approve admissions; a 党总支 (or any kind but 党委) never may.

Every 党委 already in the tree was treated as holding the authority until now, so the
migration keeps that for them; a 党委 created from here on holds it only when set.

Revision ID: 0044
Revises: 0035
Create Date: 2026-12-02
"""

from alembic import op

revision = "0044"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE organization ADD COLUMN approval_authority boolean NOT NULL DEFAULT false"
    )
    op.execute(
        "ALTER TABLE organization ADD CONSTRAINT organization_authority_committee_only"
        " CHECK (NOT approval_authority OR kind = 'party_committee')"
    )
    op.execute("UPDATE organization SET approval_authority = true WHERE kind = 'party_committee'")


def downgrade() -> None:
    op.execute("ALTER TABLE organization DROP CONSTRAINT organization_authority_committee_only")
    op.execute("ALTER TABLE organization DROP COLUMN approval_authority")
