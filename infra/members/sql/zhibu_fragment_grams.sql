-- The fragments a search term is looked up by (0014).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_fragment_grams(p_fragment text)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
        SELECT CASE WHEN char_length(p_fragment) = 1 THEN ARRAY[p_fragment]
               ELSE (SELECT array_agg(DISTINCT substr(p_fragment, i, 2))
                     FROM generate_series(1, char_length(p_fragment) - 1) i) END
    $function$;
