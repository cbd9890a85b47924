"""Due webhook deliveries read per endpoint: an index and `zhibu_webhook_due_of`.

`zhibu_webhook_due` (0032) ranks every pending delivery to pick a few per endpoint; with
slow receivers tens of thousands wait, and the dispatcher asking for the next deliveries
of a fast endpoint read them all each time. `zhibu_webhook_due_of` reads the next ones of
the endpoints named, along an index of pending deliveries by endpoint and due time. The
text below is a frozen copy of `infra/integration/sql/zhibu_webhook_due_of.sql`.

Revision ID: 0042
Revises: 0038
Create Date: 2026-12-02
"""

from alembic import op

revision = "0042"
down_revision = "0038"
branch_labels = None
depends_on = None

INDEX = (
    "CREATE INDEX webhook_delivery_pending_of"
    " ON webhook_delivery (subscription_id, next_attempt_at, id) WHERE status = 'pending'"
)

# infra/integration/sql/zhibu_webhook_due_of.sql
DUE_OF = """
CREATE OR REPLACE FUNCTION zhibu_webhook_due_of(p_subscriptions uuid[], p_per_endpoint integer)
 RETURNS TABLE(
    tenant_id uuid, id uuid, subscription_tenant_id uuid, subscription_id uuid,
    event_id uuid, body text, attempts integer
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    s uuid;
BEGIN
    FOREACH s IN ARRAY p_subscriptions LOOP
        RETURN QUERY
            SELECT w.tenant_id, w.id, w.subscription_tenant_id, w.subscription_id, w.event_id,
                   w.body, w.attempts
            FROM webhook_delivery w
            WHERE w.subscription_id = s AND w.status = 'pending'
              AND w.next_attempt_at <= now()
            ORDER BY w.next_attempt_at, w.id
            LIMIT p_per_endpoint;
    END LOOP;
END
$function$;
"""
SIGNATURE = "zhibu_webhook_due_of(uuid[], integer)"


def upgrade() -> None:
    op.execute(INDEX)
    op.execute(DUE_OF)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO zhibu_app")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute("DROP INDEX webhook_delivery_pending_of")
