"""A stored star scheme per tenant and subject (issue 14): thresholds or target shares,
notice days, branch indicators and weights, member classes left out; versioned (a change
writes the next version, never edits one), read by a star run queued without a scheme.

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
    CREATE TABLE star_scheme (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        subject text NOT NULL CHECK (subject IN ('member', 'branch')),
        version integer NOT NULL CHECK (version >= 1),
        scheme jsonb NOT NULL,
        created_by uuid NOT NULL,  -- may be a superior tenant's administrator: no key
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, subject, version)
    )
    """
    )
    for statement in tenant_table_rls("star_scheme", grants="SELECT, INSERT"):
        op.execute(statement)
    if op.get_bind().execute(text(IS_CITUS)).first() is not None:
        for statement in citus_tenant_table("star_scheme"):
            op.execute(statement)
    op.execute("ALTER TABLE star_scheme ADD FOREIGN KEY (tenant_id) REFERENCES tenant (id)")


def downgrade() -> None:
    op.execute("DROP TABLE star_scheme")
