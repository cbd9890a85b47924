"""The bill run at a province's scale (issue 15, speed), two changes to what each bill costs.

- `dues_bill_month` becomes (tenant_id, month, member_id). A run asks, batch by batch,
  which of the batch's members already have the month's bill; on (tenant_id, month) that
  read every bill of the month made so far, so a run's reads grew with the square of the
  tenant's size (a rerun that made nothing took 25 s at 500,000 members). With the
  member in the key the question is one range of the index, whichever index the planner
  takes; every query on (tenant_id, month) still finds its prefix.
- `dues_bill` and `dues_ledger_entry` stop referencing `tenant` (as the logs did in 0007):
  each row also references its member, whose row references the tenant, and tenants are
  never deleted; the check took a KEY SHARE lock on the one tenant row for every bill and
  entry (a tenth of the bill run's writing, seen with EXPLAIN ANALYZE at 50,000 members,
  and a MultiXact on that row when payments settle at once).

Revision ID: 0063
Revises: 0059
Create Date: 2026-12-03
"""

from alembic import op

revision = "0063"
down_revision = "0059"
branch_labels = None
depends_on = None

KEYS = ("dues_bill", "dues_ledger_entry")


def upgrade() -> None:
    op.execute("DROP INDEX dues_bill_month")
    op.execute("CREATE INDEX dues_bill_month ON dues_bill (tenant_id, month, member_id)")
    for table in KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_tenant_id_fkey")


def downgrade() -> None:
    for table in KEYS:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_tenant_id_fkey"
            " FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
        )
    op.execute("DROP INDEX dues_bill_month")
    op.execute("CREATE INDEX dues_bill_month ON dues_bill (tenant_id, month)")
