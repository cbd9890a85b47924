"""Points from approved leave, absences and volunteer hours (issue 14): a ledger entry may
be caused by a leave request, or by an activity a member was absent from or served at as
a volunteer. The activity is the cause of every absent member's entry, so a record's first
booking is unique per member.

Revision ID: 0048
Revises: 0053
Create Date: 2026-12-02
"""

from alembic import op

revision = "0048"
down_revision = "0053"
branch_labels = None
depends_on = None

CAUSES = "'checkin', 'award', 'evidence', 'leave', 'absence', 'volunteer'"
BEFORE = "'checkin', 'award', 'evidence'"


def _causes(allowed: str) -> None:
    op.execute("ALTER TABLE point_entry DROP CONSTRAINT point_entry_cause_type_check")
    op.execute(
        "ALTER TABLE point_entry ADD CONSTRAINT point_entry_cause_type_check"
        f" CHECK (cause_type IN ({allowed}))"
    )


def _once(columns: str) -> None:
    op.execute("DROP INDEX point_entry_once")
    op.execute(
        f"CREATE UNIQUE INDEX point_entry_once ON point_entry ({columns}) WHERE kind = 'accrual'"
    )


def upgrade() -> None:
    _causes(CAUSES)
    _once("tenant_id, member_id, cause_type, cause_id, rule_version_id, item_code")


def downgrade() -> None:
    _once("tenant_id, cause_type, cause_id, rule_version_id, item_code")
    _causes(BEFORE)
