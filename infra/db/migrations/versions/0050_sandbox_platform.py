"""The sandbox payment provider's own side in PostgreSQL (issue 15 item 4): its platform
signing key and its orders, so that every API worker process serves it alike (an order
created in one is paid, queried, closed, refunded and notified from any other). Not tenant
data: the provider's side, as a real provider keeps it; the app role reaches it only
through `infra/dues/providers/sandbox.py`, on a connection of its own.

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-02
"""

from alembic import op

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE sandbox_platform_key (
            serial text PRIMARY KEY,
            private_key_pem text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE sandbox_order (
            out_trade_no text PRIMARY KEY,
            amount_fen bigint NOT NULL CHECK (amount_fen > 0),
            currency text NOT NULL,
            description text NOT NULL,
            attach text NOT NULL,
            state text NOT NULL DEFAULT 'NOTPAY'
                CHECK (state IN ('NOTPAY', 'SUCCESS', 'CLOSED', 'REFUND', 'PAYERROR')),
            transaction_id text UNIQUE,
            success_time timestamptz,
            refunds jsonb NOT NULL DEFAULT '{}'::jsonb,
            notification_id text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX sandbox_order_success ON sandbox_order (success_time)")
    op.execute("GRANT SELECT, INSERT ON sandbox_platform_key TO zhibu_app")
    op.execute("GRANT SELECT, INSERT, UPDATE ON sandbox_order TO zhibu_app")


def downgrade() -> None:
    op.execute("DROP TABLE sandbox_order")
    op.execute("DROP TABLE sandbox_platform_key")
