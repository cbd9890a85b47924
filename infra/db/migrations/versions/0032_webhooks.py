"""Webhooks (issue 13 item 5): subscriptions, their signing secrets, deliveries and the
attempts of each delivery.

Tenant tables, sharded by tenant_id on Citus like 0026's. A subscription and its secrets
live in its API client's tenant; a delivery and its attempts live in the tenant of the
event they carry, which lies in the client's subtree, so the relay writes them in the
event's scope and the client reads them in its own. The two SQL functions are the reads
that happen before a scope exists: which subscriptions of the event tenant's ancestors
want a topic (the relay's fan-out), and which deliveries are due (the dispatcher). The
text below is a frozen copy of `infra/integration/sql/*.sql` at this revision.

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0032"
down_revision = "0030"
branch_labels = None
depends_on = None

TABLES = {
    "webhook_subscription": """
    CREATE TABLE webhook_subscription (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        client_id uuid NOT NULL,
        tenant_path text NOT NULL,  -- the client's tenant: events of its subtree match
        url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
        event_types text[] NOT NULL,
        description text NOT NULL DEFAULT '',
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        failure_streak integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        paused_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "webhook_secret": """
    CREATE TABLE webhook_secret (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        secret bytea NOT NULL,  -- sealed with the field key
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "webhook_delivery": """
    CREATE TABLE webhook_delivery (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        subscription_tenant_id uuid NOT NULL,  -- an ancestor's (or this) tenant: no key
        subscription_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        last_status_code integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, subscription_id, event_id)
    )
    """,
    "webhook_attempt": """
    CREATE TABLE webhook_attempt (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        delivery_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        attempted_at timestamptz NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        response_excerpt text NOT NULL DEFAULT '',
        error text,
        PRIMARY KEY (tenant_id, id)
    )
    """,
}

INDEXES = [
    "CREATE INDEX webhook_subscription_match ON webhook_subscription (tenant_path) WHERE enabled",
    "CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at)"
    " WHERE status = 'pending'",
    "CREATE INDEX webhook_delivery_log"
    " ON webhook_delivery (tenant_id, subscription_id, occurred_at)",
    "CREATE INDEX webhook_attempt_of ON webhook_attempt (tenant_id, delivery_id)",
]

# Added once the table is distributed (Citus refuses a local table's keys to distributed ones).
FOREIGN_KEYS = {
    "webhook_subscription": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, client_id) REFERENCES api_client (tenant_id, id)",
    ],
    "webhook_secret": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscription (tenant_id, id)",
    ],
    "webhook_delivery": ["FOREIGN KEY (tenant_id) REFERENCES tenant (id)"],
    "webhook_attempt": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_delivery (tenant_id, id)",
    ],
}

# infra/integration/sql/zhibu_webhook_subscribers.sql
SUBSCRIBERS = """
CREATE OR REPLACE FUNCTION zhibu_webhook_subscribers(p_paths text[], p_topic text, p_at timestamptz)
 RETURNS TABLE(tenant_id uuid, id uuid)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id FROM webhook_subscription s
        WHERE s.tenant_path = ANY (p_paths) AND s.enabled
          AND p_topic = ANY (s.event_types) AND s.created_at <= p_at;
END
$function$;
"""

# infra/integration/sql/zhibu_webhook_due.sql
DUE = """
CREATE OR REPLACE FUNCTION zhibu_webhook_due(p_limit integer, p_per_endpoint integer, p_skip uuid[])
 RETURNS TABLE(
    tenant_id uuid, id uuid, subscription_tenant_id uuid, subscription_id uuid,
    event_id uuid, body text, attempts integer
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT d.tenant_id, d.id, d.subscription_tenant_id, d.subscription_id, d.event_id,
               d.body, d.attempts
        FROM (
            SELECT w.tenant_id, w.id, w.subscription_tenant_id, w.subscription_id, w.event_id,
                   w.body, w.attempts, w.next_attempt_at,
                   row_number() OVER (PARTITION BY w.tenant_id, w.subscription_id
                                      ORDER BY w.next_attempt_at, w.id) AS n
            FROM webhook_delivery w
            WHERE w.status = 'pending' AND w.next_attempt_at <= now()
              AND NOT (w.subscription_id = ANY (p_skip))
        ) d
        WHERE d.n <= p_per_endpoint
        ORDER BY d.next_attempt_at, d.id
        LIMIT p_limit;
END
$function$;
"""

FUNCTIONS = {
    "zhibu_webhook_subscribers(text[], text, timestamptz)": SUBSCRIBERS,
    "zhibu_webhook_due(integer, integer, uuid[])": DUE,
}


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    for table, create in TABLES.items():
        op.execute(create)
        for statement in tenant_table_rls(table):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")
    for index in INDEXES:
        op.execute(index)
    for signature, body in FUNCTIONS.items():
        op.execute(body)
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO zhibu_app")


def downgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
