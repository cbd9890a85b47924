-- On Citus (0023): the coordinator's transaction id, which the relay orders events by.
-- Citus evaluates the default of an INSERT … VALUES on the coordinator; an INSERT … SELECT
-- it runs on the shards would evaluate it on a worker, whose ids are counted apart, so
-- there the write is refused rather than given an id the relay would misplace.
CREATE OR REPLACE FUNCTION zhibu_outbox_xact_id() RETURNS xid8
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT citus_is_coordinator() THEN
        RAISE EXCEPTION 'an outbox event is written through the coordinator'
            USING HINT = 'Write it with INSERT … VALUES (infra.db.bulk.insert_rows).';
    END IF;
    RETURN pg_current_xact_id();
END
$$;
