-- A UUID version 7 (0059): 48 bits of Unix milliseconds, then random bits, so rows a SQL
-- function writes sort by time among the application's own (`domain.shared.new_id`).
-- The audit trail and its pages are ordered by id: a version 4 id topped every page.
CREATE OR REPLACE FUNCTION zhibu_uuid7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
            PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                FROM 3)
            FROM 1 FOR 6), 52, 1), 53, 1),
        'hex')::uuid
$$;
