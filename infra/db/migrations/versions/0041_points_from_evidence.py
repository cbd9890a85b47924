"""Points from evidence a member uploaded (issue 14 item 5, in part): a ledger entry may
be caused by an evidence file, booked on `evidence.attached` and reversed on
`evidence.deleted`.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-02
"""

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE point_entry DROP CONSTRAINT point_entry_cause_type_check")
    op.execute(
        "ALTER TABLE point_entry ADD CONSTRAINT point_entry_cause_type_check"
        " CHECK (cause_type IN ('checkin', 'award', 'evidence'))"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE point_entry DROP CONSTRAINT point_entry_cause_type_check")
    op.execute(
        "ALTER TABLE point_entry ADD CONSTRAINT point_entry_cause_type_check"
        " CHECK (cause_type IN ('checkin', 'award'))"
    )
