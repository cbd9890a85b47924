"""Dues reconciliation (对账, issue 15 item 6): a provider's statement of a day imported
beside the ledger (`dues_reconciliation`, the statement kept as it came) and each
difference found (`dues_reconciliation_item`), open until a person resolves it with a
note; nothing is corrected by the import.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

TABLES = {
    "dues_reconciliation": (
        """
    CREATE TABLE dues_reconciliation (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        provider text NOT NULL,
        day date NOT NULL,
        statement text NOT NULL,
        statement_rows integer NOT NULL CHECK (statement_rows >= 0),
        matched integer NOT NULL CHECK (matched >= 0),
        differences integer NOT NULL CHECK (differences >= 0),
        imported_by uuid NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT",
    ),
    "dues_reconciliation_item": (
        """
    CREATE TABLE dues_reconciliation_item (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        reconciliation_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN (
            'missing_in_ledger', 'missing_in_statement', 'amount_mismatch', 'duplicate')),
        out_trade_no text NOT NULL,
        transaction_id text,
        statement_fen bigint,
        ledger_fen bigint,
        payment_id uuid,
        resolution text CHECK (length(resolution) BETWEEN 1 AND 500),
        resolved_by uuid,
        resolved_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        CHECK ((resolution IS NULL) = (resolved_at IS NULL))
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
}

TENANT_KEY = "FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
FOREIGN_KEYS = {
    "dues_reconciliation": [TENANT_KEY],
    "dues_reconciliation_item": [
        TENANT_KEY,
        "FOREIGN KEY (tenant_id, reconciliation_id) REFERENCES dues_reconciliation (tenant_id, id)",
    ],
}

INDEXES = [
    "CREATE INDEX dues_reconciliation_item_of"
    " ON dues_reconciliation_item (tenant_id, reconciliation_id)",
]


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    for table, (create, grants) in TABLES.items():
        op.execute(create)
        for statement in tenant_table_rls(table, grants=grants):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")
    for index in INDEXES:
        op.execute(index)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
