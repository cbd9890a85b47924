"""A rating's own foreign key to its tenant goes: its key to its run, on the same
`tenant_id`, implies it (the run's tenant key checks the tenant), and a province's member
run checks half a million rows against each key in the statement that writes them.

Revision ID: 0062
Revises: 0060
Create Date: 2026-12-03
"""

from alembic import op

revision = "0062"
down_revision = "0060"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE star_rating DROP CONSTRAINT IF EXISTS star_rating_tenant_id_fkey")


def downgrade() -> None:
    op.execute(
        "ALTER TABLE star_rating ADD CONSTRAINT star_rating_tenant_id_fkey"
        " FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
    )
