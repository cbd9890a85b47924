-- The one- and two-character fragments of a name, which members are found by (0014).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_name_grams(p_name text)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
        SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
            SELECT substr(p_name, i, 1) FROM generate_series(1, char_length(p_name)) i
            UNION ALL
            SELECT substr(p_name, i, 2) FROM generate_series(1, char_length(p_name) - 1) i
        ) grams (g)
    $function$;
