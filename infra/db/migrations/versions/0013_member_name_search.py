"""Member registry repairs: seeded history in the registry's form.

Demo members seeded before this revision carried a first history version shaped
`{"name": [null, name]}`, which the history endpoint could not read; it is rewritten in
the registry's `{"name": {"old": null, "new": name}}` form.

Revision ID: 0013_member_name_search
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op

revision = "0013_member_name_search"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE member_history
        SET changes = jsonb_build_object(
            'name', jsonb_build_object('old', NULL, 'new', changes -> 'name' ->> 1))
        WHERE action = 'seed' AND jsonb_typeof(changes -> 'name') = 'array'
        """
    )


def downgrade() -> None:
    """The old seed shape was unreadable; nothing to restore."""
