-- The transaction id an outbox event records: its `xid` column's default (0023), the
-- writer's own transaction. A plain SQL function the planner inlines into every insert.
CREATE OR REPLACE FUNCTION zhibu_outbox_xact_id() RETURNS xid8
LANGUAGE sql VOLATILE AS $$ SELECT pg_current_xact_id() $$;
