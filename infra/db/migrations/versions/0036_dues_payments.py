"""Dues payments and receipts (网上缴费与收据, issue 15 items 4–5).

`dues_payment` is one order with a provider (our `out_trade_no`, the provider's
transaction id once paid, unique per tenant and provider, so state changes key on it);
`dues_payment_bill` the bills it pays; `dues_bill_hold` freezes a bill while a payment
is in flight (its primary key lets one payment hold a bill at a time, so a second
attempt cannot orphan the first); `dues_payment_notification` keeps every verified
notification as it came, written before and apart from the transaction that applies it;
`dues_receipt` numbers each paid bill.

Receipt numbers come from one sequence, `dues_receipt_number`, on the coordinator: Citus
evaluates `nextval` there for a statement routed to a shard (and gives each node its own
range of it when workers take writes), so numbers are unique across the platform and grow
with time. Not a sequence per tenant table (one per tenant would be DDL at every tenant's
creation) and not a counter row per tenant (gapless, but it would serialize a tenant's
payments on one row); a rolled-back settlement leaves a gap, which a receipt register may
show: the number is unique, not gapless.

Revision ID: 0036
Revises: 0046
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0036"
down_revision = "0046"
branch_labels = None
depends_on = None

TABLES = {
    "dues_payment": (
        """
    CREATE TABLE dues_payment (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 40),
        out_trade_no text NOT NULL CHECK (length(out_trade_no) BETWEEN 6 AND 32),
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        currency text NOT NULL CHECK (currency = 'CNY'),
        status text NOT NULL CHECK (status IN ('pending', 'paid', 'closed')),
        transaction_id text,
        credit_fen bigint NOT NULL DEFAULT 0 CHECK (credit_fen >= 0),
        refunded_fen bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
        prepay jsonb NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        settled_at timestamptz,
        closed_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, out_trade_no),
        UNIQUE (tenant_id, provider, transaction_id),
        CHECK ((status = 'paid') = (transaction_id IS NOT NULL)),
        CHECK (refunded_fen <= credit_fen AND credit_fen <= amount_fen)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_payment_bill": (
        """
    CREATE TABLE dues_payment_bill (
        tenant_id uuid NOT NULL,
        payment_id uuid NOT NULL,
        bill_id uuid NOT NULL,
        month date NOT NULL,
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        settled boolean,  -- NULL in flight; true: paid the bill; false: a credit (paid twice)
        PRIMARY KEY (tenant_id, payment_id, bill_id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_bill_hold": (
        """
    CREATE TABLE dues_bill_hold (
        tenant_id uuid NOT NULL,
        bill_id uuid NOT NULL,
        payment_id uuid NOT NULL,
        PRIMARY KEY (tenant_id, bill_id)
    )
    """,
        "SELECT, INSERT, DELETE",
    ),
    "dues_payment_notification": (
        """
    CREATE TABLE dues_payment_notification (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        provider text NOT NULL,
        notification_id text NOT NULL CHECK (length(notification_id) BETWEEN 1 AND 64),
        out_trade_no text NOT NULL,
        transaction_id text,
        trade_state text NOT NULL,
        amount_fen bigint NOT NULL,
        currency text NOT NULL,
        headers jsonb NOT NULL,
        body text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        outcome text CHECK (outcome IN ('settled', 'duplicate', 'credited', 'mismatch', 'ignored')),
        applied_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, provider, notification_id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_receipt": (
        """
    CREATE TABLE dues_receipt (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        number text NOT NULL,
        bill_id uuid NOT NULL,
        payment_id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        month date NOT NULL,
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        issued_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, number),
        UNIQUE (tenant_id, bill_id)
    )
    """,
        "SELECT, INSERT",
    ),
}

TENANT_KEY = "FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
MEMBER_KEY = "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)"
BILL_KEY = "FOREIGN KEY (tenant_id, bill_id) REFERENCES dues_bill (tenant_id, id)"
PAYMENT_KEY = "FOREIGN KEY (tenant_id, payment_id) REFERENCES dues_payment (tenant_id, id)"

# Added once the table is distributed (Citus refuses a local table's keys to shards).
FOREIGN_KEYS = {
    "dues_payment": [TENANT_KEY, MEMBER_KEY],
    "dues_payment_bill": [TENANT_KEY, BILL_KEY, PAYMENT_KEY],
    # The hold comes first in its transaction (before the provider is asked), the payment
    # after: no key to it, and both go in one transaction.
    "dues_bill_hold": [TENANT_KEY, BILL_KEY],
    "dues_payment_notification": [TENANT_KEY],
    "dues_receipt": [TENANT_KEY, MEMBER_KEY, BILL_KEY, PAYMENT_KEY],
}

INDEXES = [
    "CREATE INDEX dues_payment_member ON dues_payment (tenant_id, member_id, created_at)",
    "CREATE INDEX dues_payment_bill_bill ON dues_payment_bill (tenant_id, bill_id)",
    "CREATE INDEX dues_payment_notification_order"
    " ON dues_payment_notification (tenant_id, out_trade_no)",
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
    op.execute("CREATE SEQUENCE dues_receipt_number AS bigint")
    op.execute("GRANT USAGE ON SEQUENCE dues_receipt_number TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP SEQUENCE dues_receipt_number")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
