"""A cursor per webhook subscription over the outbox, instead of a delivery per event.

The relay's fan-out wrote one `webhook_delivery` row per subscription and event in the
relay's transaction, eleven per check-in with eleven subscribers, most for endpoints that
take a few a second. Now each subscription keeps a commit-safe position (`(xid, seq)`, the
event feed's) and the dispatcher reads its next events from the outbox; a delivery row is
written only when an event is sent. A subscription's cursor starts at the bound of the
moment it was made; existing ones start where the fan-out handler had got to, so the
events it had not fanned out yet are read. `zhibu_webhook_subscribers` goes with the
fan-out. The text below is a frozen copy of `infra/integration/sql/zhibu_webhook_streams.sql`.

Revision ID: 0060
Revises: 0059
Create Date: 2026-12-03
"""

from alembic import op
from sqlalchemy import text

revision = "0060"
down_revision = "0059"
branch_labels = None
depends_on = None

# infra/integration/sql/zhibu_webhook_streams.sql
STREAMS = """
CREATE OR REPLACE FUNCTION zhibu_webhook_streams()
 RETURNS TABLE(
    tenant_id uuid, id uuid, tenant_path text, organization_id uuid, event_types text[],
    created_at timestamp with time zone, cursor_xid text, cursor_seq bigint
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id, s.tenant_path, s.organization_id, s.event_types,
               s.created_at, s.cursor_xid::text, s.cursor_seq
        FROM webhook_subscription s
        WHERE s.enabled;
END
$function$;
"""
SIGNATURE = "zhibu_webhook_streams()"
HANDLER = "integration.webhook_deliveries"

# as 0047 left it
SUBSCRIBERS = """
CREATE OR REPLACE FUNCTION zhibu_webhook_subscribers(p_paths text[], p_topic text, p_at timestamptz)
 RETURNS TABLE(tenant_id uuid, id uuid, organization_id uuid)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    RETURN QUERY
        SELECT s.tenant_id, s.id, s.organization_id FROM webhook_subscription s
        WHERE s.tenant_path = ANY (p_paths) AND s.enabled
          AND p_topic = ANY (s.event_types) AND s.created_at <= p_at;
END
$function$;
"""


def upgrade() -> None:
    op.execute(
        "ALTER TABLE webhook_subscription ADD COLUMN cursor_xid xid8 NOT NULL DEFAULT '0',"
        " ADD COLUMN cursor_seq bigint NOT NULL DEFAULT 0"
    )
    found = (
        op.get_bind()
        .execute(
            text("SELECT xid::text, seq FROM outbox_relay_position WHERE handler = :h"),
            {"h": HANDLER},
        )
        .first()
    )
    if found is not None:
        op.execute(
            text(
                "UPDATE webhook_subscription SET cursor_xid = CAST(CAST(:x AS text) AS xid8),"
                " cursor_seq = :s"
            ).bindparams(x=found[0], s=found[1])
        )
    op.execute(STREAMS)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO zhibu_app")
    op.execute("DROP FUNCTION zhibu_webhook_subscribers(text[], text, timestamptz)")


def downgrade() -> None:
    op.execute(SUBSCRIBERS)
    op.execute(
        "REVOKE ALL ON FUNCTION zhibu_webhook_subscribers(text[], text, timestamptz) FROM PUBLIC"
    )
    op.execute(
        "GRANT EXECUTE ON FUNCTION zhibu_webhook_subscribers(text[], text, timestamptz)"
        " TO zhibu_app"
    )
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute("ALTER TABLE webhook_subscription DROP COLUMN cursor_xid, DROP COLUMN cursor_seq")
