"""The bill run at a province's scale (issue 15, speed): `dues_open_bill` loses its
foreign keys. It is derived: only the ledger's trigger writes it (the application may only
read it), from ledger rows and bills whose own keys were checked as they were written, so
checking them again cost a quarter of a bill run's time (four lookups per new bill, seen
with EXPLAIN ANALYZE at 20,000 members) and guarded nothing. Bills are never deleted.

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-02
"""

from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None

KEYS = {
    "dues_open_bill_tenant_id_fkey": "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
    "dues_open_bill_tenant_id_member_id_fkey": (
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)"
    ),
    "dues_open_bill_tenant_id_organization_id_fkey": (
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)"
    ),
    "dues_open_bill_tenant_id_bill_id_fkey": (
        "FOREIGN KEY (tenant_id, bill_id) REFERENCES dues_bill (tenant_id, id)"
    ),
}


def upgrade() -> None:
    for name in KEYS:
        op.execute(f"ALTER TABLE dues_open_bill DROP CONSTRAINT {name}")


def downgrade() -> None:
    for name, key in KEYS.items():
        op.execute(f"ALTER TABLE dues_open_bill ADD CONSTRAINT {name} {key}")
