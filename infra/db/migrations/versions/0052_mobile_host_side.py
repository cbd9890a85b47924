"""Transfers (issue 16): the host side of the 流动党员活动证, and covering indexes for the
transfer queues.

The organization a mobile member stays
at sees the certificates it hosts and records the member's arrival (报到), the
organizational life they attend, the dues they pay there and its closing opinion; the
issuing branch sees those records.

Each side keeps writing only its own tenant's rows. Two read-only policies let each side
read the other's: the host reads `mobile_certificate` rows whose `host_tenant_id` is in its
scope (the card's fields, snapshotted at issue: name, gender, full/probationary, masked
phone, the issuing tenant's and organization's names — no other member data), and the
issuing side reads `mobile_host_entry` rows whose `from_tenant_id` is in its scope. The
app role only inserts and reads entries (append-only).

The queues (`transfer-queue`) count the open transfers and the sent arrivals of a subtree
by state and deadline: two partial indexes holding exactly those columns let both counts
run as index-only scans instead of visiting every open transfer's heap page.

Revision ID: 0052
Revises: 0056
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import (
    CITUS_SCOPE_PREDICATE,
    IS_CITUS,
    SCOPE_PREDICATE,
    citus_tenant_table,
    tenant_table_rls,
)

revision = "0052"
down_revision = "0056"
branch_labels = None
depends_on = None

CARD = {
    "member_name": "text",
    "member_gender": "text",
    "member_status": "text",
    "member_phone_masked": "text",
    "from_tenant_name": "text",
    "from_organization_name": "text",
}
REQUIRED = (
    "member_name",
    "member_gender",
    "member_status",
    "from_tenant_name",
    "from_organization_name",
)
BACKFILL = [
    """
    UPDATE mobile_certificate c SET member_name = m.name, member_gender = m.gender,
        member_status = m.status, member_phone_masked = m.phone_masked
    FROM member m WHERE m.tenant_id = c.tenant_id AND m.id = c.member_id
    """,
    """
    UPDATE mobile_certificate c SET from_organization_name = o.name
    FROM organization o WHERE o.tenant_id = c.tenant_id AND o.id = c.organization_id
    """,
    """
    UPDATE mobile_certificate c SET from_tenant_name = t.name
    FROM tenant t WHERE t.id = c.tenant_id
    """,
]

ENTRY = """
CREATE TABLE mobile_host_entry (
    tenant_id uuid NOT NULL,  -- the host's tenant
    id uuid NOT NULL,
    certificate_id uuid NOT NULL,  -- the issuing tenant's certificate: no key across tenants
    from_tenant_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('arrival', 'activity', 'dues', 'opinion')),
    on_date date NOT NULL,
    month date CHECK (month = date_trunc('month', month)::date),
    amount_fen bigint CHECK (amount_fen > 0),
    note text CHECK (length(note) <= 1000),
    recorded_by uuid,
    recorded_by_name text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (CASE WHEN kind = 'dues' THEN month IS NOT NULL AND amount_fen IS NOT NULL
        ELSE month IS NULL AND amount_fen IS NULL END)
)
"""
INDEXES = [
    "CREATE INDEX mobile_host_entry_certificate ON mobile_host_entry"
    " (tenant_id, certificate_id, on_date)",
    "CREATE INDEX mobile_host_entry_from ON mobile_host_entry (from_tenant_id, certificate_id)",
    "CREATE UNIQUE INDEX mobile_host_entry_once ON mobile_host_entry"
    " (tenant_id, certificate_id, kind) WHERE kind IN ('arrival', 'opinion')",
    "CREATE UNIQUE INDEX mobile_host_entry_month ON mobile_host_entry"
    " (tenant_id, certificate_id, month) WHERE kind = 'dues'",
    "CREATE INDEX mobile_certificate_host ON mobile_certificate"
    " (host_tenant_id, host_organization_id, state) WHERE host_tenant_id IS NOT NULL",
    "CREATE INDEX transfer_open_queue ON transfer"
    " (tenant_id, state, updated_at, expires_at, sent_at, kind)"
    " WHERE state IN ('draft', 'pending_approval', 'sent', 'returned')",
    "CREATE INDEX transfer_arrival_open_queue ON transfer_arrival (tenant_id, state, expires_at)"
    " WHERE state = 'sent'",
]


def _policy(table: str, column: str, predicate: str) -> str:
    return (
        f"CREATE POLICY {table}_other_side ON {table} FOR SELECT TO zhibu_app"
        f" USING ({predicate.replace('tenant_id', column, 1)})"
    )


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    predicate = CITUS_SCOPE_PREDICATE if citus else SCOPE_PREDICATE
    for column, kind in CARD.items():
        op.execute(f"ALTER TABLE mobile_certificate ADD COLUMN {column} {kind}")
    for statement in BACKFILL:
        op.execute(statement)
    for column in REQUIRED:
        op.execute(f"ALTER TABLE mobile_certificate ALTER COLUMN {column} SET NOT NULL")
    op.execute(_policy("mobile_certificate", "host_tenant_id", predicate))
    op.execute(ENTRY)
    for statement in tenant_table_rls("mobile_host_entry", grants="SELECT, INSERT"):
        op.execute(statement)
    if citus:
        for statement in citus_tenant_table("mobile_host_entry"):
            op.execute(statement)
    op.execute(_policy("mobile_host_entry", "from_tenant_id", predicate))
    for index in INDEXES:
        op.execute(index)


def downgrade() -> None:
    op.execute("DROP INDEX transfer_arrival_open_queue")
    op.execute("DROP INDEX transfer_open_queue")
    op.execute("DROP TABLE mobile_host_entry")
    op.execute("DROP POLICY mobile_certificate_other_side ON mobile_certificate")
    op.execute("DROP INDEX mobile_certificate_host")
    for column in reversed(CARD):
        op.execute(f"ALTER TABLE mobile_certificate DROP COLUMN {column}")
