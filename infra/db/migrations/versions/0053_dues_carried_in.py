"""党费交至 carried in by a transfer across tenants (issue 16): the receiving tenant's
`dues_carried_in` records how far a member arriving from another tenant had paid there,
so its bill runs start the month after and the member's paid-to month counts it. The
sending tenant's ledger keeps the paid months; nothing is copied or rewritten.

A tenant table (tenant_id in the primary key and in its key to member, FORCE'd
row-level security, distributed with member on Citus); the app role inserts and reads.

Revision ID: 0053
Revises: 0052
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0053"
down_revision = "0052"
branch_labels = None
depends_on = None

TABLE = """
CREATE TABLE dues_carried_in (
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL,
    paid_to date NOT NULL CHECK (paid_to = date_trunc('month', paid_to)::date),
    transfer_id uuid NOT NULL,  -- the sending tenant's transfer: no key across tenants
    from_tenant_id uuid NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, member_id)
)
"""
MEMBER_KEY = (
    "ALTER TABLE dues_carried_in ADD FOREIGN KEY (tenant_id, member_id)"
    " REFERENCES member (tenant_id, id)"
)


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    op.execute(TABLE)
    for statement in tenant_table_rls("dues_carried_in", grants="SELECT, INSERT"):
        op.execute(statement)
    if citus:
        for statement in citus_tenant_table("dues_carried_in"):
            op.execute(statement)
    op.execute(MEMBER_KEY)


def downgrade() -> None:
    op.execute("DROP TABLE dues_carried_in")
