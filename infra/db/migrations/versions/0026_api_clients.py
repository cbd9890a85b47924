"""API clients (接口客户端, issue 13 item 1): registrations and their hashed secrets.

Both are tenant tables (tenant_id in the primary key and every foreign key, FORCE'd row
level security); on Citus they are distributed by tenant_id with member. The token
endpoint finds a client before any scope exists through the tenant its client id names
(`zhibu_tenant_path`), so no directory table is needed. A client acts through a service
account of its tenant (`account_id`).

Revision ID: 0026
Revises: 0023 (chained after main's head 0023)
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0026"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLES = {
    "api_client": """
    CREATE TABLE api_client (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        organization_id uuid,
        account_id uuid NOT NULL,
        scopes text[] NOT NULL,
        created_by uuid NOT NULL,  -- may be a superior tenant's administrator: no key
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "api_client_secret": """
    CREATE TABLE api_client_secret (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        client_id uuid NOT NULL,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        PRIMARY KEY (tenant_id, id)
    )
    """,
}

# Added once the table is distributed: Citus refuses a local table's keys to distributed
# or reference tables.
FOREIGN_KEYS = {
    "api_client": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)",
        "FOREIGN KEY (tenant_id, account_id) REFERENCES app_user (tenant_id, id)",
    ],
    "api_client_secret": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, client_id) REFERENCES api_client (tenant_id, id)",
    ],
}


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    # One table at a time, distributed before it gets its keys and before another
    # table references it.
    for table, create in TABLES.items():
        op.execute(create)
        for statement in tenant_table_rls(table):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
