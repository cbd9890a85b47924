"""Name grams keep two indexes instead of three, so a 100,000-member import stays in time.

0018's `member_name_gram` carried a B-tree per list order. Each member writes about five
gram rows, and three indexes on them made the 100,000-row import 31 s against its 30 s
target (20 s before 0018). A fragment searched in admission-date order now reads the
fragment's entries through the primary key and sorts them (王 at 500,000 members: about
11,500 entries) instead of walking an index that every import and every new member paid
for. Name order, the list's default, and creation
order keep their walks.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX member_name_gram_admitted")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX member_name_gram_admitted ON member_name_gram (gram, admitted_on, member_id)"
    )
