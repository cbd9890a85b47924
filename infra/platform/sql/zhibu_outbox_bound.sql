-- The event feed's read bound (0031): outbox events of transactions older than every
-- running one, as the relay reads them (zhibu_outbox_after), so an event whose transaction
-- began earlier but committed later is never passed over. p_after (the reader's position)
-- matters only on Citus, whose version checks the two-phase commits after it.
CREATE OR REPLACE FUNCTION zhibu_outbox_bound(p_after xid8)
 RETURNS xid8
 LANGUAGE sql
 STABLE
AS $function$ SELECT pg_snapshot_xmin(pg_current_snapshot()) $function$;
