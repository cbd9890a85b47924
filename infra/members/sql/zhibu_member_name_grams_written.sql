-- Keeps member_name_gram, the ordered lookup of name fragments, in step with member (0018).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_member_name_grams_written()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        -- On Citus, which runs row triggers only: each on its shard's member and grams.
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM member_name_gram g
            WHERE g.tenant_id = OLD.tenant_id AND g.member_id = OLD.id
              AND g.gram = ANY (OLD.name_grams);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
            SELECT NEW.tenant_id, g, NEW.id, NEW.name_pinyin, NEW.admitted_on
            FROM unnest(NEW.name_grams) g;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
        SELECT a.tenant_id, g, a.id, a.name_pinyin, a.admitted_on
        FROM added a CROSS JOIN LATERAL unnest(a.name_grams) g;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM member_name_gram g USING removed r
        WHERE g.tenant_id = r.tenant_id AND g.member_id = r.id AND g.gram = ANY (r.name_grams);
    ELSE
        -- An update: the grams of members whose name or sort keys changed.
        DELETE FROM member_name_gram g USING removed r
        WHERE g.tenant_id = r.tenant_id AND g.member_id = r.id AND g.gram = ANY (r.name_grams)
          AND NOT EXISTS (
              SELECT FROM added a
              WHERE (a.tenant_id, a.id, a.name, a.name_pinyin, a.admitted_on)
                  = (r.tenant_id, r.id, r.name, r.name_pinyin, r.admitted_on));
        INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
        SELECT a.tenant_id, g, a.id, a.name_pinyin, a.admitted_on
        FROM added a CROSS JOIN LATERAL unnest(a.name_grams) g
        WHERE NOT EXISTS (
            SELECT FROM removed r
            WHERE (r.tenant_id, r.id, r.name, r.name_pinyin, r.admitted_on)
                = (a.tenant_id, a.id, a.name, a.name_pinyin, a.admitted_on));
    END IF;
    RETURN NULL;
END
$function$;
